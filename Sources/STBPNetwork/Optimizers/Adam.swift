import STBPAutodiff
import STBPTensor

/// Adam, and AdamW with decoupled weight decay (PyTorch's `torch.optim.Adam` / `AdamW`):
///
///     AdamW: p *= 1 - lr · weightDecay;   Adam: g = ∇ + weightDecay · p
///     m = β1 · m + (1 - β1) · g,   v = β2 · v + (1 - β2) · g²,   t += 1
///     p -= (lr / (1 - β1^t)) · m / (sqrt(v) / sqrt(1 - β2^t) + ε)
public final class Adam: Optimizer {
    public var learningRate: Float
    public var learningRateMultipliers: [String: Float] = [:]
    /// β1 and β2.
    public var betas: (Float, Float)
    /// ε.
    public var epsilon: Float
    /// The weight decay: an L2 term in the gradient (Adam) or a decoupled shrink (AdamW).
    public var weightDecay: Float
    /// Whether the weight decay is decoupled (AdamW).
    public let decoupled: Bool
    private var first: [String: Tensor] = [:]
    private var second: [String: Tensor] = [:]
    private var steps: [String: Int] = [:]

    /// Adam (or AdamW when `decoupled`) with PyTorch's defaults.
    public init(
        learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999), epsilon: Float = 1e-8,
        weightDecay: Float = 0, decoupled: Bool = false
    ) {
        self.learningRate = learningRate
        self.betas = betas
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
    }

    /// AdamW with PyTorch's defaults (weight decay 0.01).
    public static func adamW(learningRate: Float = 1e-3, weightDecay: Float = 1e-2) -> Adam {
        Adam(learningRate: learningRate, weightDecay: weightDecay, decoupled: true)
    }

    public func step(_ parameters: [(name: String, parameter: Parameter)]) {
        let (beta1, beta2) = betas
        for (name, parameter) in parameters {
            guard var g = parameter.gradient else { continue }
            let lr = rate(for: name)
            if weightDecay != 0 {
                if decoupled {
                    parameter.value.scale(by: 1 - lr * weightDecay)
                } else {
                    g.add(parameter.value, scaledBy: weightDecay)
                }
            }
            let t = (steps[name] ?? 0) + 1
            steps[name] = t
            var m = first.removeValue(forKey: name) ?? Tensor(zeros: g.shape)
            var v = second.removeValue(forKey: name) ?? Tensor(zeros: g.shape)
            let correction1 = 1 - powf(beta1, Float(t))
            let correction2 = (1 - powf(beta2, Float(t))).squareRoot()
            let stepSize = lr / correction1
            let epsilon = self.epsilon
            m.withUnsafeMutableBufferPointer { m in
                v.withUnsafeMutableBufferPointer { v in
                    g.withUnsafeBufferPointer { g in
                        parameter.value.withUnsafeMutableBufferPointer { p in
                            for i in 0..<p.count {
                                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                                p[i] -= stepSize * m[i] / (v[i].squareRoot() / correction2 + epsilon)
                            }
                        }
                    }
                }
            }
            first[name] = m
            second[name] = v
        }
    }

    public var state: [String: Tensor] {
        var state: [String: Tensor] = [:]
        for (name, m) in first { state["exp_avg.\(name)"] = m }
        for (name, v) in second { state["exp_avg_sq.\(name)"] = v }
        for (name, t) in steps { state["step.\(name)"] = Tensor(scalar: Float(t)) }
        return state
    }

    public func load(
        state: [String: Tensor], parameters: [(name: String, parameter: Parameter)]
    ) throws(OptimizerStateError) {
        try checkStateKinds(state, ["exp_avg", "exp_avg_sq", "step"])
        var first: [String: Tensor] = [:], second: [String: Tensor] = [:], counts: [String: Tensor] = [:]
        try restoreBuffers(&first, kind: "exp_avg", from: state, parameters: parameters)
        try restoreBuffers(&second, kind: "exp_avg_sq", from: state, parameters: parameters)
        try restoreBuffers(&counts, kind: "step", from: state, parameters: parameters, scalar: true)
        guard Set(first.keys) == Set(second.keys), Set(first.keys) == Set(counts.keys) else {
            throw OptimizerStateError(
                entry: "exp_avg, exp_avg_sq, step", reason: "the three do not cover the same parameters")
        }
        self.first = first
        self.second = second
        steps = counts.mapValues { Int($0.scalars[0]) }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
