import STBPAutodiff
import STBPTensor

extension Network {
    /// Runs the network on a static input [N, C, H, W] (fed at every step) or event frames
    /// [T, N, C, H, W] (frame t at step t), recording on `tape` when given.
    ///
    /// The generator is split once for the encoding and once for the layers, which split theirs
    /// per sublayer, so dropout and Bernoulli coding draw the same numbers in either loop order.
    public func callAsFunction(
        _ input: Tensor, options: ForwardOptions = ForwardOptions(), tape: Tape? = nil,
        generator: inout SeededGenerator
    ) -> NetworkOutput {
        let isStatic = input.shape.count == inputShape.count + 1
        precondition(
            (isStatic && Array(input.shape.dropFirst()) == inputShape)
                || (input.shape.count == inputShape.count + 2 && Array(input.shape.dropFirst(2)) == inputShape),
            "The network takes [N] + \(inputShape) or [T, N] + \(inputShape), got \(input.shape).")
        let timeSteps = isStatic ? options.timeSteps : input.shape[0]
        precondition(timeSteps >= 1, "A forward pass needs at least one time step.")
        var encoding = generator.split()
        var frames: Tensor? = isStatic ? nil : input
        if isStatic && options.encoding == .bernoulli {
            let probabilities = input.clamped(to: 0...1)
            frames = Tensor.stacked(
                (0..<timeSteps).map { _ in
                    options.batchSlice.map { Tensor.bernoulli(probabilities, slice: $0, using: &encoding) }
                        ?? Tensor.bernoulli(probabilities, using: &encoding)
                })
        }
        var context = ForwardContext(
            tape: tape, isTraining: options.isTraining, timeSteps: timeSteps, generator: generator.split(),
            recordSpikes: options.recordSpikes, recordMembranes: options.recordMembranes)
        context.batchSlice = options.batchSlice
        let outputs: Variable
        switch options.order {
        case .layer:
            let series =
                frames.map { TimeSeries(steps: Variable($0)) }
                ?? TimeSeries(constant: Variable(input), timeSteps: timeSteps)
            outputs = layers.forward(series, context: &context).expanded()
        case .time:
            var state = LayerState()
            var steps: [Variable] = []
            for t in 0..<timeSteps {
                steps.append(layers.step(Variable(frames?[t] ?? input), state: &state, context: &context))
                state.step += 1
            }
            outputs = Variable.stacked(steps)
        }
        let firing = context.firing
        return NetworkOutput(
            readout: outputs.mean(alongAxis: 0), firingRates: firing.rates, spikes: firing.spikes,
            membranes: context.membranes)
    }
}
