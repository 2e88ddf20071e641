import STBPAutodiff
import STBPNetwork
import STBPTensor

/// Multiplies its input by fixed factors, y = x ⊙ s (NIR's Scale node; a SumPool2d is an
/// average pooling followed by a Scale of kh·kw): s has one sample's shape, or is [1].
public struct Scale: Layer {
    /// The factors s.
    public let factors: Tensor

    /// y = x ⊙ `factors`.
    public init(_ factors: Tensor) { self.factors = factors }

    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] {
        guard factors.shape == [1] || factors.shape == inputShape else {
            throw NetworkShapeError(
                layer: "Scale", inputShape: inputShape, reason: "its factors have shape \(factors.shape)")
        }
        return inputShape
    }

    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        input.mapFolded { $0 * Variable(factors) }
    }

    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        input * Variable(factors)
    }
}

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

    public var firesSpikes: Bool { true }

    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] {
        guard threshold.shape == [1] || threshold.shape == inputShape else {
            throw NetworkShapeError(
                layer: "Threshold", inputShape: inputShape, reason: "its threshold has shape \(threshold.shape)")
        }
        return inputShape
    }

    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        let spikes = TimeSeries(steps: fire(input.expanded()))
        context.reportSpikes(
            count: Double(spikes.value.value.sum()), total: spikes.value.value.count, spikes: spikes.value.value)
        return spikes
    }

    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        let spikes = fire(input)
        context.reportSpikes(
            count: Double(spikes.value.sum()), total: spikes.value.count,
            spikes: spikes.value.reshaped([1] + spikes.shape))
        return spikes
    }

    func fire(_ x: Variable) -> Variable { Variable.spike(x, threshold: Variable(threshold), surrogate: surrogate) }
}
