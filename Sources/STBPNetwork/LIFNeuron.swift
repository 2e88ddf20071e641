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
        return run(current, timeSteps: current.shape[0], constant: false)
    }

    /// Runs `timeSteps` steps of a current that is the same at every step: current [N, ...] ->
    /// spikes [T, N, ...]. The gradient of the current is the sum of δ[t] over t.
    public func callAsFunction(constant current: Variable, timeSteps: Int) -> Variable {
        run(current, timeSteps: timeSteps, constant: true)
    }

    private func run(_ current: Variable, timeSteps: Int, constant: Bool) -> Variable {
        precondition(timeSteps >= 1, "LIF needs at least one time step, got \(timeSteps).")
        let size = constant ? current.value.count : current.value.count / timeSteps
        let outShape = constant ? [timeSteps] + current.shape : current.shape
        var membrane = Tensor(shape: outShape, repeating: 0)
        var spikes = Tensor(shape: outShape, repeating: 0)
        current.value.withUnsafeBufferPointer { input in
            membrane.withUnsafeMutableBufferPointer { u in
                spikes.withUnsafeMutableBufferPointer { o in
                    LIFKernel.forward(
                        current: input.baseAddress!, constant: constant, timeSteps: timeSteps, size: size,
                        decay: decay, threshold: threshold, membrane: u.baseAddress!, spikes: o.baseAddress!)
                }
            }
        }
        let neuron = self
        let inputShape = current.shape
        return Variable.record(spikes, inputs: [current]) { gradSpikes in
            var gradCurrent = Tensor(zeros: inputShape)
            gradCurrent.withUnsafeMutableBufferPointer { d in
                membrane.withUnsafeBufferPointer { u in
                    gradSpikes.withUnsafeBufferPointer { g in
                        LIFKernel.backward(
                            neuron, gradSpikes: g.baseAddress!, membrane: u.baseAddress!, constant: constant,
                            timeSteps: timeSteps, size: size, gradCurrent: d.baseAddress!)
                    }
                }
            }
            return [gradCurrent]
        }
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
