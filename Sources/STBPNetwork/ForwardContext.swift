import STBPAutodiff
import STBPTensor

/// What a layer needs to know during one forward pass: the tape (nil when evaluating), whether
/// this is training (dropout on), the number of time steps, its own random generator, its path
/// in the model, and where to report its spikes.
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
    let recorder: SpikeRecorder?

    /// A context whose layer generator is `generator`; `recordSpikes` keeps every neuron layer's
    /// spikes besides its firing rate.
    public init(
        tape: Tape?, isTraining: Bool, timeSteps: Int, generator: SeededGenerator, recordSpikes: Bool = false
    ) {
        self.tape = tape
        self.isTraining = isTraining
        self.timeSteps = timeSteps
        self.generator = generator
        self.recorder = SpikeRecorder(keepsSpikes: recordSpikes)
    }

    /// The variable for a parameter: watched on the tape when recording, a constant otherwise.
    public func variable(_ parameter: Parameter) -> Variable {
        tape?.watch(parameter) ?? Variable(parameter.value)
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
}

/// Collects the spikes that neuron layers report during one forward pass.
final class SpikeRecorder {
    let keepsSpikes: Bool
    private var counts: [String: (count: Double, total: Int)] = [:]
    private var spikes: [String: [Tensor]] = [:]

    init(keepsSpikes: Bool) { self.keepsSpikes = keepsSpikes }

    func add(path: String, count: Double, total: Int, spikes steps: Tensor?) {
        let sums = counts[path] ?? (0, 0)
        counts[path] = (sums.count + count, sums.total + total)
        if let steps { spikes[path, default: []].append(steps) }
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
