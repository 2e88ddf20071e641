import STBPAutodiff
import STBPTensor

/// A layer whose LIF neurons run in one fused pass (conv, dense, voting).
///
/// `Network.forwardByLayer` runs such layers through `forwardFiring`, which also returns the
/// firing rate counted in that pass, and lets a convolution pool its spikes inside the pass
/// when an average-pooling layer follows it: the spikes are pooled while they are in cache,
/// and the pooling gradient is spread inside the LIF reverse pass, so neither the full-size
/// spikes nor their gradient is ever written out.
protocol FiringLayer: Layer {
    /// Whether `forwardFiring` can pool its spikes (conv maps can, dense vectors cannot).
    var canPoolSpikes: Bool { get }
    /// `forward`, pooled by `pool` when given; `keepSpikes` keeps the unpooled spikes.
    func forwardFiring(
        _ input: TimeSeries, pool: AvgPool2D?, keepSpikes: Bool, context: inout ForwardContext
    ) -> FiringOutput
}

extension FiringLayer {
    var canPoolSpikes: Bool { false }
}

/// What `FiringLayer.forwardFiring` returns.
struct FiringOutput {
    /// The layer's output (pooled when asked), or its currents when it has no neurons.
    let series: TimeSeries
    /// The mean of the unpooled spikes (0 without neurons).
    let rate: Float
    /// The unpooled spikes [T, N, ...], when kept.
    let spikes: Tensor?
}

/// Runs `neuron` over a series of currents (a constant current stays one tensor in the kernel),
/// pooling the spikes with `pool` in the same pass when given.
func fire(_ current: TimeSeries, _ neuron: LIFNeuron?, pool: AvgPool2D?, keepSpikes: Bool) -> FiringOutput {
    guard let neuron else { return FiringOutput(series: current, rate: 0, spikes: nil) }
    let firing = neuron.fire(
        current.value, timeSteps: current.timeSteps, constant: current.isConstant, pool: pool, keepSpikes: keepSpikes)
    return FiringOutput(
        series: TimeSeries(steps: firing.output), rate: firing.rate,
        spikes: keepSpikes ? (firing.spikes ?? firing.output.value) : nil)
}
