import STBPAutodiff
import STBPNetwork
import STBPTensor

/// NIR's leaky integrate-and-fire neuron (and, with decay 1 and no leak, its integrate-and-fire
/// neuron), discretised by forward Euler with step dt, with parameters per neuron:
///
///     u[t] = k ⊙ ū[t-1] + (1 - k) ⊙ v_leak + g ⊙ I[t],      k = 1 - dt/τ,  g = (dt/τ) r   (LIF)
///                                                         k = 1,  v_leak term 0,  g = dt r  (IF)
///     o[t] = 1[u[t] > v_threshold]
///     ū[t] = v_reset where o[t] = 1, else u[t]       (hard reset, as NIR states it)
///     ū[t] = u[t] - o[t] ⊙ v_threshold               (subtractive reset, `reset_mechanism` = "subtract")
///
/// With v_leak = 0, v_reset = 0 and g = 1 this is `LIF` (u[t] = k u[t-1] (1 - o[t-1]) + I[t]),
/// and `Network(nir:timeStep:)` builds a `LIF` instead, which runs fused. Every parameter
/// tensor has the neurons' shape or [1].
public struct NIRNeuron: Neuron {
    /// How the membrane is reset after a spike.
    public enum Reset: Sendable, Equatable {
        /// To v_reset.
        case toValue
        /// By subtracting the threshold.
        case subtract
    }
    /// k.
    public let decay: Tensor
    /// (1 - k) ⊙ v_leak.
    public let leak: Tensor
    /// g, the weight of the input current.
    public let gain: Tensor
    /// v_threshold.
    public let threshold: Tensor
    /// v_reset (unused by a subtractive reset).
    public let resetValue: Tensor
    /// The reset after a spike.
    public let reset: Reset
    /// The spike's surrogate derivative, for training an imported network further.
    public var surrogate: any Surrogate

    /// A neuron layer with these per-neuron tensors (each the neurons' shape or [1]).
    public init(
        decay: Tensor, leak: Tensor, gain: Tensor, threshold: Tensor, resetValue: Tensor, reset: Reset = .toValue,
        surrogate: some Surrogate = .default
    ) {
        self.decay = decay
        self.leak = leak
        self.gain = gain
        self.threshold = threshold
        self.resetValue = resetValue
        self.reset = reset
        self.surrogate = surrogate
    }

    /// What a layer of these neurons carries from step t to step t+1.
    public struct State {
        /// u[t], before the reset.
        public var membrane: Variable
        /// o[t].
        public var spikes: Variable
    }

    /// The input shape; an error when a parameter tensor is neither [1] nor that shape.
    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] {
        for (name, tensor) in [
            ("decay", decay), ("leak", leak), ("gain", gain), ("threshold", threshold), ("reset", resetValue),
        ] {
            try tensor.checkFits(sampleShape: inputShape, layer: "NIRNeuron", name: name)
        }
        return inputShape
    }

    /// One step of the equations above: the current I[t] [N, ...] -> o[t], with u[t] and o[t] kept.
    public func update(_ current: Variable, state: State?, context: ForwardContext) -> (spikes: Variable, state: State)
    {
        var membrane = current * Variable(gain) + Variable(leak)
        if let previous = state {
            let kept: Variable
            switch reset {
            case .toValue:
                kept = previous.membrane * (1 - previous.spikes) + previous.spikes * Variable(resetValue)
            case .subtract:
                kept = previous.membrane - previous.spikes * Variable(threshold)
            }
            membrane = kept * Variable(decay) + membrane
        }
        let spikes = Variable.spike(membrane, threshold: Variable(threshold), surrogate: surrogate)
        return (spikes, State(membrane: membrane, spikes: spikes))
    }

    /// u[t] before the reset.
    public func membrane(of state: State) -> Variable? { state.membrane }

    /// v_threshold.
    public func threshold(of state: State) -> Tensor? { threshold }
}
