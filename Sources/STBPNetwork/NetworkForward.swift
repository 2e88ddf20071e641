import STBPAutodiff
import STBPTensor

extension Network {
    /// Runs the network on a static input [N, C, H, W] (fed at every step) or event frames
    /// [T, N, C, H, W] (frame t at step t), recording on `tape` when given.
    ///
    /// The generator is split once per layer (and once for the encoding) at the start, so dropout
    /// and Bernoulli coding draw the same numbers in either loop order.
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
        var generators = (0...layers.count).map { _ in generator.split() }
        var frames: Tensor? = isStatic ? nil : input
        if isStatic && options.encoding == .bernoulli {
            let probabilities = input.clamped(to: 0...1)
            frames = Tensor.stacked((0..<timeSteps).map { _ in Tensor.bernoulli(probabilities, using: &generators[0]) })
        }
        var context = ForwardContext(
            tape: tape, isTraining: options.isTraining, timeSteps: timeSteps, generator: generators[0])
        switch options.order {
        case .layer:
            let series =
                frames.map { TimeSeries(steps: Variable($0)) }
                ?? TimeSeries(constant: Variable(input), timeSteps: timeSteps)
            return forwardByLayer(series, &context, &generators, record: options.recordSpikes)
        case .time:
            return forwardByTime(
                { t in Variable(frames?[t] ?? input) }, timeSteps, &context, &generators, record: options.recordSpikes)
        }
    }

    /// Each layer over all steps at once. A spiking conv layer followed by average pooling
    /// pools its spikes inside its LIF pass (`FiringLayer`), which stands for both layers.
    func forwardByLayer(
        _ input: TimeSeries, _ context: inout ForwardContext, _ generators: inout [SeededGenerator], record: Bool
    ) -> NetworkOutput {
        var series = input
        var rates: [Int: Float] = [:]
        var spikes: [Int: Tensor] = [:]
        var index = 0
        while index < layers.count {
            let layer = layers[index]
            context.generator = generators[index + 1]
            var consumed = 1
            if layer.firesSpikes, let firing = layer as? any FiringLayer {
                let pool = firing.canPoolSpikes && index + 1 < layers.count ? layers[index + 1] as? AvgPool2D : nil
                let result = firing.forwardFiring(series, pool: pool, keepSpikes: record, context: &context)
                series = result.series
                rates[index] = result.rate
                if record { spikes[index] = result.spikes }
                if pool != nil { consumed = 2 }
            } else {
                series = layer.forward(series, context: &context)
                if layer.firesSpikes {
                    rates[index] = series.value.value.mean()
                    if record { spikes[index] = series.value.value }
                }
            }
            generators[index + 1] = context.generator
            index += consumed
        }
        return NetworkOutput(readout: readout(series.expanded()), firingRates: rates, spikes: spikes)
    }

    /// For each step, each layer: the paper's loop order.
    func forwardByTime(
        _ inputAt: (Int) -> Variable, _ timeSteps: Int, _ context: inout ForwardContext,
        _ generators: inout [SeededGenerator], record: Bool
    ) -> NetworkOutput {
        var states = Array(repeating: LayerState(), count: layers.count)
        var outputs: [Variable] = []
        var rateSums: [Int: Float] = [:]
        var steps: [Int: [Tensor]] = [:]
        for t in 0..<timeSteps {
            var x = inputAt(t)
            for (index, layer) in layers.enumerated() {
                context.generator = generators[index + 1]
                x = layer.step(x, state: &states[index], context: &context)
                generators[index + 1] = context.generator
                states[index].step += 1
                if layer.firesSpikes {
                    rateSums[index, default: 0] += x.value.mean()
                    if record { steps[index, default: []].append(x.value) }
                }
            }
            outputs.append(x)
        }
        return NetworkOutput(
            readout: readout(Variable.stacked(outputs)),
            firingRates: rateSums.mapValues { $0 / Float(timeSteps) },
            spikes: steps.mapValues { Tensor.stacked($0) })
    }

    /// Mean over T of the output spikes [T, N, K] -> [N, K], then the voting tally if any.
    func readout(_ outputSpikes: Variable) -> Variable {
        let rates = outputSpikes.mean(alongAxis: 0)
        if let voting = layers.last as? Voting { return voting.tally(rates) }
        return rates
    }
}
