import STBPAutodiff
import STBPTensor

/// What a layer needs to know during one forward pass: the tape (nil when evaluating), whether
/// this is training (dropout on), the number of time steps, its own random generator, its path
/// in the model, and where to report its spikes (and membrane potentials, when asked for).
public struct ForwardContext {
    /// The tape that records this pass, or nil for evaluation without gradients.
    public let tape: Tape?
    /// Whether the pass trains (dropout active).
    public let isTraining: Bool
    /// T.
    public let timeSteps: Int
    /// The generator of the layer being run.
    public var generator: SeededGenerator
    /// The path of the layer being run, e.g. "3.main.1" ("" for the outermost layer).
    /// A container sets it to `path(ofSublayer:)` while each sublayer runs, and back after.
    public var path: String = ""
    /// The slice of a global batch this pass runs on, if the batch is split across processes.
    public var batchSlice: BatchSlice?
    let recorder: SpikeRecorder?

    /// A context whose layer generator is `generator`; `recordSpikes` keeps every neuron layer's
    /// spikes besides its firing rate, `recordMembranes` its membrane potentials and threshold
    /// (`Neuron.membrane(of:)`).
    public init(
        tape: Tape?, isTraining: Bool, timeSteps: Int, generator: SeededGenerator, recordSpikes: Bool = false,
        recordMembranes: Bool = false
    ) {
        self.tape = tape
        self.isTraining = isTraining
        self.timeSteps = timeSteps
        self.generator = generator
        self.recorder = SpikeRecorder(keepsSpikes: recordSpikes, keepsMembranes: recordMembranes)
    }

    /// The variable for a parameter: watched on the tape when recording, a constant otherwise.
    public func variable(_ parameter: Parameter) -> Variable {
        tape?.watch(parameter) ?? Variable(parameter.value)
    }

    /// Bernoulli draws (1 with probability `probability`) of `shape`, whose axis `batchAxis`
    /// runs over the batch, from the layer's generator. With a `batchSlice`, the global batch's
    /// draws are made and the slice's rows kept, so a sample's draws do not depend on the split.
    public mutating func bernoulli(_ shape: [Int], batchAxis: Int, probability: Float) -> Tensor {
        guard let batchSlice else { return Tensor.bernoulli(shape, probability: probability, using: &generator) }
        return Tensor.bernoulli(
            shape, probability: probability, batchAxis: batchAxis, slice: batchSlice, using: &generator)
    }

    /// The path of the sublayer called `name` of the layer being run.
    public func path(ofSublayer name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    /// Whether the spikes themselves are kept (besides the firing rate).
    public var keepsSpikes: Bool { recorder?.keepsSpikes ?? false }

    /// Reports the layer's spikes: `count` ones among `total` values, and the spikes themselves
    /// ([steps, N, ...]) when they are kept. Neuron layers call this once per forward pass, or
    /// once per step in the paper's loop order.
    public func reportSpikes(count: Double, total: Int, spikes: @autoclosure () -> Tensor?) {
        recorder?.add(path: path, count: count, total: total, spikes: keepsSpikes ? spikes() : nil)
    }

    /// The firing rate and (when kept) the spikes [T, N, ...] of every neuron layer, by path.
    public var firing: (rates: [String: Float], spikes: [String: Tensor]) {
        recorder?.result ?? ([:], [:])
    }

    /// Whether neuron layers report their membrane potentials (`reportMembranes`).
    public var keepsMembranes: Bool { recorder?.keepsMembranes ?? false }

    /// Reports the layer's membrane potentials `potentials` [steps, N, ...] and the threshold
    /// they were compared with (`thresholds`: the same shape, or one value [1] for all), nil when
    /// the neuron cannot say. Neuron layers that run `update` call this when `keepsMembranes`,
    /// once per forward pass or once per step, as they report spikes.
    public func reportMembranes(_ potentials: Tensor, thresholds: Tensor?) {
        guard let recorder, recorder.keepsMembranes else { return }
        recorder.add(path: path, potentials: potentials, thresholds: thresholds)
    }

    /// The membrane potentials [T, N, ...] and thresholds of every neuron layer that reported
    /// them, by path (empty unless `keepsMembranes`).
    public var membranes: [String: MembraneTrace] { recorder?.membraneResult ?? [:] }
}

/// A neuron layer's membrane potentials over a forward pass, beside the threshold each was
/// compared with: what a membrane plot draws.
public struct MembraneTrace: Sendable {
    /// u[t], the potential the spike at step t is decided on (before any reset): [T, N, ...].
    public let potentials: Tensor
    /// The threshold at each step [T, N, ...] (a fixed threshold repeated; an adaptive one,
    /// as ALIF's, per neuron and step), or nil when the neuron does not report it.
    public let thresholds: Tensor?

    /// A trace of `potentials` [T, N, ...] compared with `thresholds` (their shape, or nil).
    public init(potentials: Tensor, thresholds: Tensor?) {
        precondition(
            thresholds.map { $0.shape == potentials.shape } ?? true,
            "A membrane trace needs thresholds of its potentials' shape \(potentials.shape).")
        self.potentials = potentials
        self.thresholds = thresholds
    }
}

/// Collects the spikes that neuron layers report during one forward pass.
final class SpikeRecorder {
    let keepsSpikes: Bool
    let keepsMembranes: Bool
    private var counts: [String: (count: Double, total: Int)] = [:]
    private var spikes: [String: [Tensor]] = [:]
    private var potentials: [String: [Tensor]] = [:]
    private var thresholds: [String: [Tensor]] = [:]

    init(keepsSpikes: Bool, keepsMembranes: Bool = false) {
        self.keepsSpikes = keepsSpikes
        self.keepsMembranes = keepsMembranes
    }

    func add(path: String, count: Double, total: Int, spikes steps: Tensor?) {
        let sums = counts[path] ?? (0, 0)
        counts[path] = (sums.count + count, sums.total + total)
        if let steps { spikes[path, default: []].append(steps) }
    }

    /// Keeps one report's potentials [steps, N, ...] and its thresholds, broadcast to their shape.
    func add(path: String, potentials steps: Tensor, thresholds threshold: Tensor?) {
        potentials[path, default: []].append(steps)
        if let threshold {
            thresholds[path, default: []].append(
                threshold.shape == steps.shape ? threshold : Tensor(zeros: steps.shape) + threshold)
        }
    }

    var membraneResult: [String: MembraneTrace] {
        potentials.reduce(into: [:]) { result, entry in
            let limits = thresholds[entry.key]
            result[entry.key] = MembraneTrace(
                potentials: Tensor.concatenatedSteps(entry.value),
                thresholds: limits?.count == entry.value.count ? limits.map(Tensor.concatenatedSteps) : nil)
        }
    }

    var result: (rates: [String: Float], spikes: [String: Tensor]) {
        (
            counts.mapValues { $0.total == 0 ? 0 : Float($0.count / Double($0.total)) },
            spikes.mapValues { Tensor.concatenatedSteps($0) }
        )
    }
}

extension Tensor {
    /// Tensors [t_i, N, ...] joined along the first axis: [Σ t_i, N, ...].
    static func concatenatedSteps(_ parts: [Tensor]) -> Tensor {
        guard parts.count > 1 else { return parts[0] }
        let rest = Array(parts[0].shape.dropFirst())
        let steps = parts.reduce(0) { $0 + $1.shape[0] }
        var offset = 0
        return Tensor(shape: [steps] + rest) { out in
            for part in parts {
                part.withUnsafeBufferPointer {
                    (out.baseAddress! + offset).update(from: $0.baseAddress!, count: $0.count)
                }
                offset += part.count
            }
        }
    }
}
