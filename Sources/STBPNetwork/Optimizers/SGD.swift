import STBPAutodiff
import STBPTensor

/// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay
/// (PyTorch's `torch.optim.SGD`, dampening 0):
///
///     g = ∇ + weightDecay · p
///     b = g (first step), b = momentum · b + g (later steps)
///     p -= lr · (nesterov ? g + momentum · b : b)       (p -= lr · g without momentum)
public final class SGD: Optimizer {
    public var learningRate: Float
    public var learningRateMultipliers: [String: Float] = [:]
    /// The momentum factor.
    public var momentum: Float
    /// Whether to use Nesterov momentum.
    public var nesterov: Bool
    /// The L2 penalty added to the gradient.
    public var weightDecay: Float
    private var buffers: [String: Tensor] = [:]

    /// SGD with the given hyper-parameters.
    public init(learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        precondition(!nesterov || momentum > 0, "Nesterov momentum needs a positive momentum.")
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public func step(_ parameters: [(name: String, parameter: Parameter)]) {
        for (name, parameter) in parameters {
            guard var g = parameter.gradient else { continue }
            if weightDecay != 0 { g.add(parameter.value, scaledBy: weightDecay) }
            if momentum != 0 {
                if var buffer = buffers.removeValue(forKey: name) {
                    buffer.scale(by: momentum)
                    buffer += g
                    buffers[name] = buffer
                } else {
                    buffers[name] = g
                }
                if nesterov { g.add(buffers[name]!, scaledBy: momentum) } else { g = buffers[name]! }
            }
            parameter.value.add(g, scaledBy: -rate(for: name))
        }
    }

    public var state: [String: Tensor] {
        Dictionary(uniqueKeysWithValues: buffers.map { ("momentum.\($0.key)", $0.value) })
    }

    public func load(
        state: [String: Tensor], parameters: [(name: String, parameter: Parameter)]
    ) throws(OptimizerStateError) {
        try checkStateKinds(state, ["momentum"])
        var restored: [String: Tensor] = [:]
        try restoreBuffers(&restored, kind: "momentum", from: state, parameters: parameters)
        buffers = restored
    }
}
