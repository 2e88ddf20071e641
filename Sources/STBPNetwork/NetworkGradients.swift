import STBPAutodiff
import STBPTensor

/// The result of one forward and backward pass.
public struct StepResult {
    /// The loss value.
    public let loss: Float
    /// The forward pass (readout [N, classes], firing rates, recorded spikes).
    public let output: NetworkOutput
    /// The gradient of every parameter, by name; also assigned to each `Parameter.gradient`.
    public let gradients: [String: Tensor]
}

extension Network {
    /// Runs the network on a tape, computes `loss` against `labels` and backpropagates through
    /// space and time; every parameter receives its gradient. `onParameterGradient` sees each
    /// parameter's gradient as soon as the backward pass has finished it (`Tape.onParameterGradient`).
    public func lossAndGradients(
        _ input: Tensor, labels: [Int], loss: Loss = .meanSquaredError, options: ForwardOptions,
        generator: inout SeededGenerator, onParameterGradient: ((Parameter, Tensor) -> Void)? = nil
    ) -> StepResult {
        let tape = Tape()
        tape.onParameterGradient = onParameterGradient
        let output = self(input, options: options, tape: tape, generator: &generator)
        let value = loss(output.readout, labels: labels)
        tape.backward(value)
        let gradients = Dictionary(
            uniqueKeysWithValues: namedParameters.map {
                ($0.name, $0.parameter.gradient ?? Tensor(zeros: $0.parameter.value.shape))
            })
        return StepResult(loss: value.value.scalar, output: output, gradients: gradients)
    }
}
