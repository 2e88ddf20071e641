import STBPAutodiff
import STBPTensor

/// Updates parameters from their gradients. Implementations follow PyTorch's update rules
/// exactly, so a run can be compared step by step with `torch.optim`.
public protocol Optimizer: AnyObject {
    /// The base learning rate (a schedule sets it before each step).
    var learningRate: Float { get set }
    /// Per-parameter factors on the learning rate, by parameter name (1 when absent), e.g. 0.1
    /// for dense layers as in the authors' CIFAR-10 code.
    var learningRateMultipliers: [String: Float] { get set }
    /// One update of every named parameter that has a gradient.
    func step(_ parameters: [(name: String, parameter: Parameter)])
    /// The optimizer's state (moment buffers, step counts) as named tensors, for checkpoints.
    var state: [String: Tensor] { get }
    /// Restores a state saved by `state` for `parameters`, checking every buffer's name and shape
    /// against the parameter it belongs to.
    func load(state: [String: Tensor], parameters: [(name: String, parameter: Parameter)]) throws(OptimizerStateError)
}

/// An optimizer state that does not fit: the entry and what was wrong.
public struct OptimizerStateError: Error, CustomStringConvertible, Equatable {
    /// The state entry, e.g. "exp_avg.layers.0.weight".
    public let entry: String
    /// What is wrong with it, e.g. a shape that does not match the parameter's buffer.
    public let reason: String
    /// "Optimizer state "<entry>": <reason>."
    public var description: String { "Optimizer state \"\(entry)\": \(reason)." }
}

extension Optimizer {
    /// The learning rate of one parameter.
    func rate(for name: String) -> Float { learningRate * (learningRateMultipliers[name] ?? 1) }
}

/// Throws for a key of `state` that is none of `kinds` ("exp_avg" for "exp_avg.<name>").
func checkStateKinds(_ state: [String: Tensor], _ kinds: [String]) throws(OptimizerStateError) {
    if let stray = state.keys.sorted().first(where: { key in !kinds.contains { key.hasPrefix($0 + ".") } }) {
        throw OptimizerStateError(
            entry: stray, reason: "this optimizer keeps only \(kinds.joined(separator: ", ")) buffers")
    }
}

/// Restores the buffers of one kind ("<kind>.<parameter name>" in `state`), each checked against
/// the parameter it belongs to: its name, and its shape (`scalar`: a finite whole number ≥ 0
/// below 2^53, such as a step count, instead).
func restoreBuffers(
    _ buffers: inout [String: Tensor], kind: String, from state: [String: Tensor],
    parameters: [(name: String, parameter: Parameter)], scalar: Bool = false
) throws(OptimizerStateError) {
    let shapes = Dictionary(parameters.map { ($0.name, $0.parameter.value.shape) }, uniquingKeysWith: { a, _ in a })
    var restored: [String: Tensor] = [:]
    for (key, value) in state where key.hasPrefix(kind + ".") {
        let name = String(key.dropFirst(kind.count + 1))
        guard let shape = shapes[name] else {
            throw OptimizerStateError(entry: key, reason: "the network has no parameter \"\(name)\"")
        }
        if scalar {
            let count = value.count == 1 ? value.scalars[0] : .nan
            guard count.isFinite, count >= 0, count < 0x1p53, count == count.rounded() else {
                throw OptimizerStateError(
                    entry: key, reason: "expected a whole number of steps, found \(value.scalars.prefix(4))")
            }
        } else if value.shape != shape {
            throw OptimizerStateError(
                entry: key, reason: "shape \(value.shape) does not match the parameter's \(shape)")
        }
        restored[name] = value
    }
    buffers = restored
}
