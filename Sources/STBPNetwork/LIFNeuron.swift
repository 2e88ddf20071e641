import STBPAutodiff
import STBPTensor

/// Leaky integrate-and-fire neurons in the explicitly iterative form of STBP.
///
///     u[t] = decay · u[t-1] · (1 - o[t-1]) + I[t]        u[0] = o[0] = 0
///     o[t] = 1[u[t] > threshold]
///
/// Backward replaces dH/du by `surrogate` h and runs the STBP recurrence in one reverse pass,
/// with δ[T+1] = 0 and g[t] = dL/do[t]:
///
///     δ[t] = (g[t] - decay · u[t] · δ[t+1]) · h(u[t]) + decay · (1 - o[t]) · δ[t+1],   dL/dI[t] = δ[t]
///
/// With `detachReset` the reset factor (1 - o[t-1]) is a constant, which drops the
/// -decay · u[t] · δ[t+1] term.
public struct LIFNeuron: Sendable, Hashable, Codable {
    /// The membrane decay k1 (the reference code's `decay`).
    public var decay: Float
    /// The firing threshold Vth (`thresh`).
    public var threshold: Float
    /// The pseudo-derivative used in backward.
    public var surrogate: Surrogate
    /// Whether the reset path is cut from the gradient.
    public var detachReset: Bool

    /// Neurons with the reference values: decay 0.2, threshold 0.5, rectangular surrogate of width 1.
    public init(
        decay: Float = 0.2, threshold: Float = 0.5, surrogate: Surrogate = .default, detachReset: Bool = false
    ) {
        self.decay = decay
        self.threshold = threshold
        self.surrogate = surrogate
        self.detachReset = detachReset
    }

    /// Runs all steps at once: current [T, N, ...] -> spikes [T, N, ...], recorded as one op.
    public func callAsFunction(_ current: Variable) -> Variable {
        precondition(current.shape.count >= 1, "LIF needs a time-major current [T, N, ...], got \(current.shape).")
        return fire(current, timeSteps: current.shape[0], constant: false).output
    }

    /// Runs `timeSteps` steps of a current that is the same at every step: current [N, ...] ->
    /// spikes [T, N, ...]. The gradient of the current is the sum of δ[t] over t.
    public func callAsFunction(constant current: Variable, timeSteps: Int) -> Variable {
        fire(current, timeSteps: timeSteps, constant: true).output
    }

    /// Runs the neurons over a series of conv currents and average-pools their spikes in the same
    /// pass: [T, N, C, H, W] (or a constant [N, C, H, W]) -> [T, N, C, Ho, Wo]. The numbers are
    /// those of `pool` applied to the spikes; the full-size spikes are never written out.
    public func callAsFunction(_ current: TimeSeries, pooledBy pool: AvgPool2D) -> Variable {
        fire(current.value, timeSteps: current.timeSteps, constant: current.isConstant, pool: pool).output
    }

    /// The output of `fire`: the spikes (pooled when asked), their firing rate, and the
    /// unpooled spikes when asked to keep them.
    struct Firing {
        let output: Variable
        let rate: Float
        let spikes: Tensor?
    }

    /// Runs all steps as one recorded op: current [T, N, ...], or [N, ...] when `constant`.
    ///
    /// With `pool`, the current is conv maps [T, N, C, H, W] (or [N, C, H, W]) and the output is
    /// the pooled spikes [T, N, C, Ho, Wo], pooled inside the LIF pass (the same numbers as the
    /// pooling layer after it); `keepSpikes` also returns the unpooled spikes. `rate` is the
    /// mean of the unpooled spikes.
    func fire(
        _ current: Variable, timeSteps: Int, constant: Bool, pool: AvgPool2D? = nil, keepSpikes: Bool = false
    ) -> Firing {
        precondition(timeSteps >= 1, "LIF needs at least one time step, got \(timeSteps).")
        let inputShape = current.shape
        let size = constant ? current.value.count : current.value.count / timeSteps
        let spikeShape = constant ? [timeSteps] + inputShape : inputShape
        var pooling: LIFKernel.Pooling?
        var outShape = spikeShape
        if let pool {
            precondition(spikeShape.count == 5, "Pooling inside LIF needs maps [T, N, C, H, W], got \(spikeShape).")
            let p = LIFKernel.Pooling(
                height: spikeShape[3], width: spikeShape[4], kernel: pool.kernelSize, stride: pool.stride)
            precondition(
                p.outHeight >= 1 && p.outWidth >= 1,
                "Pooling \(pool.kernelSize)x\(pool.kernelSize) does not fit \(spikeShape).")
            outShape[3] = p.outHeight
            outShape[4] = p.outWidth
            pooling = p
        }
        let keepsSpikes = pooling == nil || keepSpikes
        var spikes: Tensor? = keepsSpikes ? Tensor(shape: spikeShape) { _ in } : nil
        var pooled: Tensor? = pooling != nil ? Tensor(shape: outShape) { _ in } : nil
        let count = current.value.withUnsafeBufferPointer { input in
            spikes.withUnsafeMutableBaseAddress { o in
                pooled.withUnsafeMutableBaseAddress { p in
                    LIFKernel.forward(
                        current: input.baseAddress!, constant: constant, timeSteps: timeSteps, size: size, decay: decay,
                        threshold: threshold, pooling: pooling, spikes: o, pooled: p)
                }
            }
        }
        let neuron = self
        let currentValue = current.value
        let output = Variable.record(pooled ?? spikes!, inputs: [current]) { gradient in
            let gradCurrent = Tensor(shape: inputShape) { d in
                currentValue.withUnsafeBufferPointer { input in
                    gradient.withUnsafeBufferPointer { g in
                        LIFKernel.backward(
                            neuron, current: input.baseAddress!, constant: constant, timeSteps: timeSteps, size: size,
                            pooling: pooling, gradient: g.baseAddress!, gradCurrent: d.baseAddress!)
                    }
                }
            }
            return [gradCurrent]
        }
        let total = timeSteps * size
        return Firing(
            output: output, rate: total == 0 ? 0 : Float(count) / Float(total), spikes: pooling == nil ? nil : spikes)
    }

    /// The state one LIF layer carries from step to step in the paper's loop order.
    public struct State {
        /// u[t-1].
        public var membrane: Variable
        /// o[t-1].
        public var spikes: Variable
    }

    /// One step of the paper's loop order, composed from tape primitives:
    /// u = decay · u[t-1] · (1 - o[t-1]) + I, o = spike(u).
    public func step(_ current: Variable, state: inout State?) -> Variable {
        var membrane = current
        if let previous = state {
            let reset = detachReset ? 1 - Variable(previous.spikes.value) : 1 - previous.spikes
            membrane = previous.membrane * reset * decay + current
        }
        let spikes = Variable.spike(membrane, threshold: threshold, surrogate: surrogate)
        state = State(membrane: membrane, spikes: spikes)
        return spikes
    }
}

extension Variable {
    /// The spike function o = 1[u > threshold] with the surrogate h(u - threshold) as its derivative.
    public static func spike(_ membrane: Variable, threshold: Float, surrogate: Surrogate) -> Variable {
        let u = membrane.value
        return record(u.map { $0 > threshold ? 1 : 0 }, inputs: [membrane]) { g in
            [g.zip(u) { gradient, potential in gradient * surrogate.derivative(at: potential - threshold) }]
        }
    }
}

extension Optional where Wrapped == Tensor {
    /// Calls `body` with the wrapped tensor's writable scalars, or with nil.
    mutating func withUnsafeMutableBaseAddress<R>(_ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
        guard var tensor = self else { return body(nil) }
        self = nil  // keeps the storage uniquely referenced, so writing does not copy it
        defer { self = tensor }
        return tensor.withUnsafeMutableBufferPointer { body($0.baseAddress) }
    }
}
