import Foundation
import STBPAutodiff
import STBPNetwork
import STBPTensor

/// Scales the synapses of a network's spiking layers, from input to output, so that each fires
/// at a target rate on an input: for the layer fed by synapse W (weight and bias), the factor s
/// of W ← s · W₀ is found by bisection on log₂ s in [-16, 16], each trial a forward pass without
/// a tape of that block alone (the layers before it are already calibrated and run once). The
/// last spiking layer (the output) is left as it is.
package enum FiringRateCalibration {
    /// One calibrated layer.
    package struct Result: Sendable, Equatable {
        /// The factor its synapse's weight and bias were scaled by.
        package var scale: Float
        /// The firing rate it reached on the calibration input.
        package var rate: Float
        /// Whether `rate` came within tolerance of the target.
        package var reached: Bool
    }

    /// Calibrates `network` in place on `input` ([N, C, H, W] fed at each of `timeSteps` steps, or
    /// frames [T, N, C, H, W]) to `target` spikes per neuron and step, within `tolerance` · target;
    /// returns the result of each calibrated spiking layer by path.
    package static func calibrate(
        _ network: Network, input: Tensor, timeSteps: Int, target: Float, tolerance: Float = 0.05,
        trials: Int = 24
    ) -> [String: Result] {
        let sublayers = network.layers.sublayers
        let output = sublayers.lastIndex { $0.layer.firesSpikes }
        let isStatic = input.shape.count == network.inputShape.count + 1
        var series =
            isStatic ? TimeSeries(constant: Variable(input), timeSteps: timeSteps) : TimeSeries(steps: Variable(input))

        /// Runs sublayers `range` on `input` without a tape: the output and the rates by path.
        func run(_ range: ClosedRange<Int>, _ input: TimeSeries) -> (TimeSeries, [String: Float]) {
            var context = ForwardContext(
                tape: nil, isTraining: false, timeSteps: input.timeSteps, generator: SeededGenerator(seed: 0))
            var x = input
            for index in range {
                context.path = sublayers[index].name
                x = sublayers[index].layer.forward(x, context: &context)
            }
            return (x, context.firing.rates)
        }

        var results: [String: Result] = [:]
        var block: (start: Int, input: TimeSeries)?  // a synapse waiting for its neurons
        for (index, (name, layer)) in sublayers.enumerated() {
            if synapse(of: layer) != nil, block == nil {
                block = (index, series)
                continue
            }
            let start = block?.start ?? index
            let blockInput = block?.input ?? series
            if layer.firesSpikes, index != output, let first = block,
                let (weight, bias) = synapse(of: sublayers[first.start].layer)
            {
                let (w0, b0) = (weight.value, bias?.value)
                let rate = { (scale: Float) -> Float in
                    weight.value = w0 * scale
                    if let bias, let b0 { bias.value = b0 * scale }
                    return run(start...index, blockInput).1[name] ?? 0
                }
                results[name] = bisect(rate, target: target, tolerance: tolerance, trials: trials)
                _ = rate(results[name]!.scale)
            }
            series = run(start...index, blockInput).0
            block = nil
        }
        return results
    }

    /// The scale whose rate is closest to `target`: 1 if it is within tolerance, otherwise
    /// bisection on log₂ scale in [0, 16] or [-16, 0], assuming the rate grows with the scale.
    static func bisect(_ rate: (Float) -> Float, target: Float, tolerance: Float, trials: Int) -> Result {
        var best = Result(scale: 1, rate: rate(1), reached: false)
        // log₂ 1 = 0 is measured: the target lies above it or below it.
        var (low, high): (Float, Float) = best.rate < target ? (0, 16) : (-16, 0)
        var trial = 0
        while abs(best.rate - target) > tolerance * target, trial < trials {
            let middle = (low + high) / 2
            let measured = rate(exp2(middle))
            if abs(measured - target) < abs(best.rate - target) {
                best = Result(scale: exp2(middle), rate: measured, reached: false)
            }
            if measured < target { low = middle } else { high = middle }
            trial += 1
        }
        best.reached = abs(best.rate - target) <= tolerance * target
        return best
    }

    /// The weight and bias of a synapse layer (`Conv2D`, `Dense`), or nil for another layer.
    static func synapse(of layer: any Layer) -> (weight: Parameter, bias: Parameter?)? {
        if let conv = layer as? Conv2D { return (conv.weight, conv.bias) }
        if let dense = layer as? Dense { return (dense.weight, dense.bias) }
        return nil
    }
}
