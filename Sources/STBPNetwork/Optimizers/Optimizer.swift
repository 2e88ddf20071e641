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
    /// Restores a state saved by `state`.
    func load(state: [String: Tensor]) throws(OptimizerStateError)
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

/// Restores named buffers, checking each shape against the parameter's buffer it replaces.
func restoreBuffers(
    _ buffers: inout [String: Tensor], kind: String, from state: [String: Tensor]
) throws(OptimizerStateError) {
    var restored: [String: Tensor] = [:]
    for (key, value) in state where key.hasPrefix(kind + ".") {
        restored[String(key.dropFirst(kind.count + 1))] = value
    }
    for (name, value) in restored {
        if let existing = buffers[name], existing.shape != value.shape {
            throw OptimizerStateError(
                entry: "\(kind).\(name)", reason: "shape \(value.shape) does not match \(existing.shape)")
        }
    }
    buffers = restored
}
