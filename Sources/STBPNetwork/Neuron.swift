import STBPAutodiff
import STBPTensor

/// A spiking neuron model, written as one time step: current and state in, spikes and state out.
///
/// The framework runs `update` over the T steps in both loop orders (all steps of the layer at
/// once, or the paper's "for t: for layer") without more code, records the firing rate, and
/// backpropagates through space and time on the tape. Write the step from tape primitives; the
/// spike is `Variable.spike(_:threshold:surrogate:)`, whose backward is the surrogate derivative:
///
///     struct LeakyIntegrator: Neuron {
///         var decay: Float = 0.5
///         var surrogate: any Surrogate = .arctan(width: 1)
///         func update(_ current: Variable, state: Variable?, context: ForwardContext)
///             -> (spikes: Variable, state: Variable)
///         {
///             let u = state.map { $0 * decay + current } ?? current   // no reset
///             return (Variable.spike(u, threshold: 1, surrogate: surrogate), u)
///         }
///     }
///
/// A neuron with trainable parameters lists them in `parameters` and reads them through
/// `context.variable(_:)`, so that the tape sees them. A neuron is a `Layer`: it goes anywhere
/// a layer goes (`Conv2D`, then a neuron, then `AvgPool2D`).
public protocol Neuron: Layer {
    /// What the neuron carries from step t-1 to step t (e.g. its membrane potential).
    associatedtype State
    /// One time step: the input current I[t] [N, ...] and the state after step t-1 (nil at
    /// t = 0) -> the spikes o[t] [N, ...] and the state after step t.
    func update(_ current: Variable, state: State?, context: ForwardContext) -> (spikes: Variable, state: State)
}

extension Neuron {
    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] { inputShape }

    public var firesSpikes: Bool { true }

    /// All steps: `forwardStepByStep`.
    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        forwardStepByStep(input, context: &context)
    }

    /// `update` for t = 0..<T on the current [T, N, ...] (or the same [N, ...] at every step),
    /// stacked to spikes [T, N, ...], with the firing rate reported to `context`.
    public func forwardStepByStep(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        var state: State?
        var steps: [Variable] = []
        for t in 0..<input.timeSteps {
            let current = input.isConstant ? input.value : input.value[t]
            let (spikes, next) = update(current, state: state, context: context)
            state = next
            steps.append(spikes)
        }
        let spikes = Variable.stacked(steps)
        context.reportSpikes(count: Double(spikes.value.sum()), total: spikes.value.count, spikes: spikes.value)
        return TimeSeries(steps: spikes)
    }

    /// One step of `update`, its state kept in `state.value`.
    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        let (spikes, next) = update(input, state: state.value as? State, context: context)
        state.value = next
        context.reportSpikes(
            count: Double(spikes.value.sum()), total: spikes.value.count,
            spikes: spikes.value.reshaped([1] + spikes.shape))
        return spikes
    }
}

extension Variable {
    /// The spike o = f(u - threshold) of `surrogate` (by default 1[u > threshold]), with the
    /// surrogate derivative h(u - threshold) as its derivative.
    public static func spike(_ membrane: Variable, threshold: Float, surrogate: any Surrogate) -> Variable {
        let u = membrane.value
        return record(u.map { surrogate.spike(at: $0 - threshold) }, inputs: [membrane]) { g in
            [g.zip(u) { gradient, potential in gradient * surrogate.derivative(at: potential - threshold) }]
        }
    }

    /// The spike o = f(u - θ) with a threshold θ that is itself a variable (learned, or adapted
    /// over time) and broadcasts against u: dL/du = g · h(u - θ), dL/dθ = -g · h(u - θ) summed
    /// to θ's shape.
    public static func spike(_ membrane: Variable, threshold: Variable, surrogate: any Surrogate) -> Variable {
        let x = membrane - threshold
        return spike(x, threshold: 0, surrogate: surrogate)
    }
}
