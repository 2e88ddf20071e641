import STBPAutodiff
import STBPNetwork
import STBPTensor

/// A threshold without state, y = 1[x > θ] (NIR's Threshold node), with the surrogate's
/// derivative as its gradient; θ has one sample's shape, or is [1].
public struct Threshold: Layer {
    /// θ.
    public let threshold: Tensor
    /// The surrogate derivative used in backward.
    public var surrogate: any Surrogate

    /// y = 1[x > `threshold`].
    public init(_ threshold: Tensor, surrogate: some Surrogate = .default) {
        self.threshold = threshold
        self.surrogate = surrogate
    }

    /// True: its output is spikes, whose rate is recorded.
    public var firesSpikes: Bool { true }

    /// The input shape; an error when the thresholds are neither [1] nor that shape.
    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] {
        try threshold.checkFits(sampleShape: inputShape, layer: "Threshold", name: "threshold")
        return inputShape
    }

    /// All steps at once [T, N, ...].
    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        let spikes = TimeSeries(steps: fire(input.expanded()))
        context.reportSpikes(
            count: Double(spikes.value.value.sum()), total: spikes.value.value.count, spikes: spikes.value.value)
        return spikes
    }

    /// One step [N, ...].
    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        let spikes = fire(input)
        context.reportSpikes(
            count: Double(spikes.value.sum()), total: spikes.value.count,
            spikes: spikes.value.reshaped([1] + spikes.shape))
        return spikes
    }

    func fire(_ x: Variable) -> Variable { Variable.spike(x, threshold: Variable(threshold), surrogate: surrogate) }
}
