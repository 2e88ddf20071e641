import STBPAutodiff
import STBPTensor

/// LIF neurons with an adaptive threshold (ALIF, as in Bellec et al.'s LSNNs): each spike raises
/// the neuron's threshold, which relaxes back over time, so a neuron that has just fired needs
/// more input to fire again.
///
///     u[t] = decay · u[t-1] · (1 - o[t-1]) + I[t]               u[0] = o[0] = 0
///     b[t] = adaptationDecay · b[t-1] + (1 - adaptationDecay) · o[t-1]     b[0] = 0
///     θ[t] = threshold + adaptation · b[t]
///     o[t] = spike(u[t] - θ[t])
///
/// The gradient flows through the membrane, the reset and the threshold's dependence on past
/// spikes (∂o[t]/∂θ[t] = -h(u[t] - θ[t])). Written as one `update` step; the framework runs it
/// over T in both loop orders.
public struct ALIF: Neuron, Sendable {
    /// The membrane decay k1.
    public var decay: Float
    /// The resting threshold.
    public var threshold: Float
    /// How much of the adaptation b is kept from one step to the next (ρ).
    public var adaptationDecay: Float
    /// How far the adaptation raises the threshold (β).
    public var adaptation: Float
    /// The spike and its pseudo-derivative used in backward.
    public var surrogate: any Surrogate

    /// Adaptive LIF neurons; the defaults keep the reference LIF's decay and threshold.
    public init(
        decay: Float = 0.2, threshold: Float = 0.5, adaptationDecay: Float = 0.9, adaptation: Float = 0.2,
        surrogate: some Surrogate = .default
    ) {
        precondition(
            (0...1).contains(adaptationDecay) && adaptation >= 0,
            "ALIF needs an adaptation decay in [0, 1] and a non-negative adaptation.")
        self.decay = decay
        self.threshold = threshold
        self.adaptationDecay = adaptationDecay
        self.adaptation = adaptation
        self.surrogate = surrogate
    }

    /// What one ALIF layer carries from step to step.
    public struct State {
        /// u[t-1].
        public var membrane: Variable
        /// o[t-1].
        public var spikes: Variable
        /// b[t-1].
        public var adaptation: Variable?
    }

    /// u[t] before the reset, for membrane plots.
    public func membrane(of state: State) -> Variable? { state.membrane }

    /// The effective threshold θ[t] = threshold + adaptation · b[t] per neuron ([1] at t = 0,
    /// before any adaptation).
    public func threshold(of state: State) -> Tensor? {
        state.adaptation.map { $0.value * adaptation + threshold } ?? Tensor([threshold])
    }

    public func update(_ current: Variable, state: State?, context: ForwardContext) -> (spikes: Variable, state: State)
    {
        guard let previous = state else {
            let spikes = Variable.spike(current, threshold: threshold, surrogate: surrogate)
            return (spikes, State(membrane: current, spikes: spikes, adaptation: nil))
        }
        let membrane = previous.membrane * (1 - previous.spikes) * decay + current
        let kept = previous.adaptation.map { $0 * adaptationDecay }
        let fresh = previous.spikes * (1 - adaptationDecay)
        let level = kept.map { $0 + fresh } ?? fresh
        let spikes = Variable.spike(membrane, threshold: level * adaptation + threshold, surrogate: surrogate)
        return (spikes, State(membrane: membrane, spikes: spikes, adaptation: level))
    }
}
