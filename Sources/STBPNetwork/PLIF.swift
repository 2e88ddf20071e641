import Foundation
import STBPAutodiff
import STBPTensor

/// LIF neurons whose decay and threshold are learned, one of each per layer (a parametric LIF,
/// as in Fang et al.'s PLIF, in this package's iterative form):
///
///     u[t] = k · u[t-1] · (1 - o[t-1]) + I[t],   k = sigmoid(w)
///     o[t] = spike(u[t] - Vth)
///
/// w (`decay_logit`, shape [1]) and Vth (`threshold`, shape [1]) are parameters: the optimizer
/// trains them with the weights, through ∂u[t]/∂k = u[t-1] · (1 - o[t-1]) and
/// ∂o[t]/∂Vth = -h(u[t] - Vth). The sigmoid keeps the decay in (0, 1).
public struct PLIF: Neuron {
    /// w, with decay k = sigmoid(w).
    public let decayLogit: Parameter
    /// The threshold Vth.
    public let threshold: Parameter
    /// The spike and its pseudo-derivative used in backward.
    public var surrogate: any Surrogate

    /// Neurons starting from decay `decay` (in (0, 1)) and threshold `threshold`.
    public init(decay: Float = 0.2, threshold: Float = 0.5, surrogate: some Surrogate = .default) {
        precondition(decay > 0 && decay < 1, "PLIF needs a starting decay in (0, 1), got \(decay).")
        decayLogit = Parameter(Tensor([Float(Foundation.log(Double(decay / (1 - decay))))]))
        self.threshold = Parameter(Tensor([threshold]))
        self.surrogate = surrogate
    }

    /// The decay k = sigmoid(w) now.
    public var decay: Float { 1 / (1 + Float(Foundation.exp(Double(-decayLogit.value.scalars[0])))) }

    public var parameters: [(name: String, parameter: Parameter)] {
        [("decay_logit", decayLogit), ("threshold", threshold)]
    }

    /// What one PLIF layer carries from step to step: u[t-1] and o[t-1], as LIF.
    public typealias State = LIF.State

    /// u[t] before the reset, for membrane plots.
    public func membrane(of state: State) -> Variable? { state.membrane }

    /// The learned threshold Vth [1], as it is now.
    public func threshold(of state: State) -> Tensor? { threshold.value }

    public func update(_ current: Variable, state: State?, context: ForwardContext) -> (spikes: Variable, state: State)
    {
        var membrane = current
        if let previous = state {
            let decay = context.variable(decayLogit).sigmoid()
            membrane = previous.membrane * (1 - previous.spikes) * decay + current
        }
        let spikes = Variable.spike(membrane, threshold: context.variable(threshold), surrogate: surrogate)
        return (spikes, State(membrane: membrane, spikes: spikes))
    }
}
