import STBPTensor

extension Variable {
    /// conv2d of spikes: the same values and gradients as `conv2d`, for an input of 0s and 1s
    /// [N, C, H, W] that a spiking layer fired. The input is kept as bits (`SpikeBits`, 32
    /// times smaller) from the forward to the backward pass, and the forward pass and weight
    /// gradient each take the event-driven path (`EventConv2DKernel`, work in proportion to the
    /// ones) or the dense one, whichever `EventConv2DCost` predicts faster for this batch's
    /// density; dL/dx is dense. An input that is not all 0s and 1s runs `conv2d` unchanged.
    public static func spikeConv2d(
        _ x: Variable, weight: Variable, bias: Variable?, stride: Int = 1, padding: Int = 0
    ) -> Variable {
        spikeConv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, choice: EventConv2DCost.choice)
    }

    /// `spikeConv2d` with the paths chosen by `choice` instead of `EventConv2DCost.choice`.
    package static func spikeConv2d(
        _ x: Variable, weight: Variable, bias: Variable?, stride: Int, padding: Int, choice: EventConv2DCost.Choice
    ) -> Variable {
        let (input, w) = (x.value, weight.value)
        let g = Conv2DGeometry(inputShape: input.shape, weightShape: w.shape, stride: stride, padding: padding)
        guard choice != .dense, EventConv2DKernel.applies(to: g), let spikes = SpikeBits(input) else {
            return conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
        }
        let cost = EventConv2DCost(geometry: g, ones: spikes.count, choice: choice)
        let output =
            cost.forwardPrefersEvents
            ? EventConv2DKernel.forward(spikes: input, weight: w, bias: bias?.value, stride: stride, padding: padding)
            : Conv2DKernel.forward(input: input, weight: w, bias: bias?.value, stride: stride, padding: padding)
        let needsInput = x.isRecorded
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return record(output, inputs: inputs) { gradOutput in
            let gradWeight =
                cost.weightGradientPrefersEvents
                ? EventConv2DKernel.weightGradient(
                    gradOutput: gradOutput, spikes: spikes, weightShape: w.shape, stride: stride, padding: padding)
                : Conv2DKernel.weightGradient(
                    gradOutput: gradOutput, input: spikes.tensor, weight: w, stride: stride, padding: padding)
            let gradInput =
                needsInput
                ? Conv2DKernel.inputGradient(
                    gradOutput: gradOutput, weight: w, inputShape: g.inputShape, stride: stride, padding: padding)
                : nil
            let gradBias = bias == nil ? nil : Conv2DKernel.sumPerChannel(gradOutput)
            return bias == nil ? [gradInput, gradWeight] : [gradInput, gradWeight, gradBias]
        }
    }
}
