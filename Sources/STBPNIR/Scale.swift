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

    /// The input shape; an error when the factors are neither [1] nor that shape.
    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] {
        try factors.checkFits(sampleShape: inputShape, layer: "Scale", name: "factors")
        return inputShape
    }

    /// All steps at once [T, N, ...].
    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        input.mapFolded { $0 * Variable(factors) }
    }

    /// One step [N, ...].
    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        input * Variable(factors)
    }
}
