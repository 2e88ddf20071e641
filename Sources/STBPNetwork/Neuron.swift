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
///
/// To show up in membrane plots, a neuron says where its state keeps the membrane potential
/// (`membrane(of:)`) and, if it has one, its threshold (`threshold(of:)`); a forward pass
/// with `ForwardOptions.recordMembranes` then reports them by the layer's path.
public protocol Neuron: Layer {
    /// What the neuron carries from step t-1 to step t (e.g. its membrane potential).
    associatedtype State
    /// One time step: the input current I[t] [N, ...] and the state after step t-1 (nil at
    /// t = 0) -> the spikes o[t] [N, ...] and the state after step t.
    func update(_ current: Variable, state: State?, context: ForwardContext) -> (spikes: Variable, state: State)
    /// The membrane potential u[t] [N, ...] in the state after step t: the value the spike at
    /// step t was decided on, before any reset. nil (the default) for a neuron without one.
    func membrane(of state: State) -> Variable?
    /// The threshold u[t] was compared with at step t: [N, ...], or [1] for one threshold
    /// shared by the layer. nil (the default) when the neuron does not say.
    func threshold(of state: State) -> Tensor?
}

extension Neuron {
    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] { inputShape }

    public var firesSpikes: Bool { true }

    /// No membrane potential to report.
    public func membrane(of state: State) -> Variable? { nil }

    /// No threshold to report.
    public func threshold(of state: State) -> Tensor? { nil }

    /// All steps: `forwardStepByStep`.
    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        forwardStepByStep(input, context: &context)
    }

    /// `update` for t = 0..<T on the current [T, N, ...] (or the same [N, ...] at every step),
    /// stacked to spikes [T, N, ...], with the firing rate (and, when kept, the membrane
    /// potentials) reported to `context`.
    public func forwardStepByStep(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        var state: State?
        var steps: [Variable] = []
        var potentials: [Tensor] = [], thresholds: [Tensor] = []
        for t in 0..<input.timeSteps {
            let current = input.isConstant ? input.value : input.value[t]
            let (spikes, next) = update(current, state: state, context: context)
            state = next
            steps.append(spikes)
            if context.keepsMembranes, let reading = membraneReading(of: next) {
                potentials.append(reading.potentials)
                if let threshold = reading.thresholds { thresholds.append(threshold) }
            }
        }
        let spikes = Variable.stacked(steps)
        context.reportSpikes(count: Double(spikes.value.sum()), total: spikes.value.count, spikes: spikes.value)
        if !potentials.isEmpty {
            context.reportMembranes(
                Tensor.concatenatedSteps(potentials),
                thresholds: thresholds.count == potentials.count ? Tensor.concatenatedSteps(thresholds) : nil)
        }
        return TimeSeries(steps: spikes)
    }

    /// One step of `update`, its state kept in `state.value`.
    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        let (spikes, next) = update(input, state: state.value as? State, context: context)
        state.value = next
        context.reportSpikes(
            count: Double(spikes.value.sum()), total: spikes.value.count,
            spikes: spikes.value.reshaped([1] + spikes.shape))
        if context.keepsMembranes, let reading = membraneReading(of: next) {
            context.reportMembranes(reading.potentials, thresholds: reading.thresholds)
        }
        return spikes
    }

    /// The membrane potential of `state` as one step [1, N, ...], with its threshold broadcast
    /// to that shape; nil when the neuron reports none.
    func membraneReading(of state: State) -> (potentials: Tensor, thresholds: Tensor?)? {
        guard let potential = membrane(of: state)?.value else { return nil }
        let shape = [1] + potential.shape
        let threshold = self.threshold(of: state).map { threshold in
            threshold.shape == potential.shape
                ? threshold.reshaped(shape) : Tensor(zeros: shape) + threshold
        }
        return (potential.reshaped(shape), threshold)
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
