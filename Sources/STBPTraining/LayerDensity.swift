import STBPAutodiff
import STBPNetwork
import STBPTensor

/// How sparse one spiking layer is in a forward pass: the nonzeros of the input of the synapse
/// layer (`Conv2D` or `Dense`) that feeds it, its firing rate, and the nonzeros of its surrogate
/// derivative h(u - threshold), the factor that gates its backward pass. What a kernel that
/// skips zeros could skip.
package struct LayerDensity: Codable, Sendable, Equatable {
    /// The spiking layer's path, e.g. "2".
    package var path: String
    /// Its label, e.g. "32C3".
    package var label: String
    /// What the synapse's input is: "spikes" (every value 0 or 1), "pooled spikes" (the previous
    /// spiking layer's spikes after pooling or dropout), "analog" (an image, NeuNorm's output),
    /// or "none" (no top-level `Conv2D` or `Dense` feeds the layer).
    package var input: String
    /// The fraction of nonzeros in the synapse's input [T, N, ...]; nil unless it is (pooled) spikes.
    package var inputDensity: Double?
    /// Spikes per neuron and step.
    package var firingRate: Double
    /// The fraction of entries h(u[t] - threshold[t]) != 0 over [T, N, ...]; nil when the neuron
    /// reports no membrane potential or has no surrogate this package knows.
    package var surrogateDensity: Double?
    /// With `--firing-rate`: the factor its synapse's weight and bias were scaled by.
    package var calibrationScale: Double?
    /// With `--firing-rate`: whether the calibrated rate came within tolerance of the target.
    package var calibrationReached: Bool?

    enum CodingKeys: String, CodingKey {
        case path, label, input
        case inputDensity = "input_density", firingRate = "firing_rate", surrogateDensity = "surrogate_density"
        case calibrationScale = "calibration_scale", calibrationReached = "calibration_reached"
    }

    /// Runs `network` once on `input` without a tape, keeping membrane potentials, with a
    /// counting probe before each top-level synapse layer; returns each spiking layer's densities
    /// in order. `options` gives T and the encoding; recording and training are set here.
    package static func measure(_ network: Network, input: Tensor, options: ForwardOptions) throws -> [LayerDensity] {
        var layers: [(name: String, layer: any Layer)] = []
        var probes: [String: DensityProbe] = [:]  // by the path of the spiking layer the synapse feeds
        var pending: DensityProbe?
        var fromSpikes = false  // whether the series is spikes, maybe pooled or dropped out
        for (name, layer) in network.layers.sublayers {
            if FiringRateCalibration.synapse(of: layer) != nil {
                let probe = DensityProbe(afterSpikes: fromSpikes)
                layers.append((name, probe))
                pending = probe
            }
            layers.append((name, layer))
            if layer.firesSpikes, let probe = pending {
                probes[name] = probe
                pending = nil
            }
            fromSpikes = layer.firesSpikes || (fromSpikes && (layer is AvgPool2D || layer is Dropout))
        }
        let probed = try Network(inputShape: network.inputShape, layers: Sequential(named: layers))
        var options = options
        options.isTraining = false
        options.recordSpikes = false
        options.recordMembranes = true
        var generator = SeededGenerator(seed: 0)
        let output = probed(input, options: options, generator: &generator)
        let neurons = Dictionary(
            network.allLayers.filter(\.layer.firesSpikes).map { ($0.path, $0.layer) }, uniquingKeysWith: { a, _ in a })
        return network.spikingLayers.map { path in
            let count = probes[path]?.count
            let kind = count.map { $0.binary ? "spikes" : probes[path]!.afterSpikes ? "pooled spikes" : "analog" }
            return LayerDensity(
                path: path, label: network.label(ofLayerAt: path), input: kind ?? "none",
                inputDensity: kind == "spikes" || kind == "pooled spikes" ? count?.density : nil,
                firingRate: Double(output.firingRates[path] ?? 0),
                surrogateDensity: output.membranes[path].flatMap { trace in
                    neurons[path].flatMap { surrogateDensity(trace, of: $0) }
                })
        }
    }

    /// The fraction of h(u - threshold) != 0 over a membrane trace, with the neuron's surrogate;
    /// nil when the trace has no thresholds or the neuron no surrogate this package knows.
    static func surrogateDensity(_ trace: MembraneTrace, of neuron: any Layer) -> Double? {
        guard let surrogate = (neuron as? any SurrogateNeuron)?.surrogate, let thresholds = trace.thresholds else {
            return nil
        }
        let x = trace.potentials - thresholds  // u[t] - threshold[t], [T, N, ...]
        var h = Tensor(zeros: x.shape)
        h.withUnsafeMutableBufferPointer { out in
            x.withUnsafeBufferPointer { surrogate.derivatives(of: $0, threshold: 0, into: out) }
        }
        return h.withUnsafeBufferPointer { values in
            Double(values.reduce(0) { $1 != 0 ? $0 + 1 : $0 }) / Double(max(values.count, 1))
        }
    }
}

/// A neuron whose spike has a surrogate derivative this package can read.
protocol SurrogateNeuron {
    /// The spike's surrogate.
    var surrogate: any Surrogate { get }
}

extension LIF: SurrogateNeuron {}
extension ALIF: SurrogateNeuron {}
extension PLIF: SurrogateNeuron {}

/// Passes its input on unchanged and counts it: the nonzeros, and whether every value is 0 or 1.
struct DensityProbe: Layer {
    /// What the probe has seen.
    final class Count {
        var nonzero = 0, total = 0, binary = true
        /// The fraction of nonzeros.
        var density: Double { Double(nonzero) / Double(max(total, 1)) }
    }

    /// Whether the input comes from a spiking layer through pooling or dropout alone.
    let afterSpikes: Bool
    let count = Count()

    func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] { inputShape }

    func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        add(input.value.value)  // a constant [N, ...] has the density of its T repeats
        return input
    }

    func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        add(input.value)
        return input
    }

    func add(_ values: Tensor) {
        values.withUnsafeBufferPointer { x in
            for value in x where value != 0 {
                count.nonzero += 1
                if value != 1 { count.binary = false }
            }
            count.total += x.count
        }
    }
}
