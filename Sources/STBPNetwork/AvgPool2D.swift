import STBPAutodiff
import STBPTensor

/// Average pooling over k x k windows with the given stride, no padding and no neurons (the
/// paper's `AP2`): [T, N, C, H, W] -> [T, N, C, (H-k)/s+1, (W-k)/s+1]. It acts on spikes directly,
/// so the next layer sees multiples of 1/k².
public struct AvgPool2D: Layer {
    /// The window size k.
    public let kernelSize: Int
    /// The step between windows.
    public let stride: Int

    /// Pooling with a k x k window; the stride defaults to k.
    public init(kernelSize: Int, stride: Int? = nil) {
        precondition(kernelSize >= 1 && (stride ?? 1) >= 1, "Pooling needs a positive kernel size and stride.")
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
    }

    /// Pooling with a k x k window; the stride defaults to k.
    public init(_ kernelSize: Int, stride: Int? = nil) { self.init(kernelSize: kernelSize, stride: stride) }

    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] {
        let name = "AP\(kernelSize)"
        guard inputShape.count == 3 else {
            throw NetworkShapeError(layer: name, inputShape: inputShape, reason: "pooling needs [C, H, W] maps")
        }
        guard let shape = AvgPool2DKernel.outputShape(inputShape: [1] + inputShape, kernel: kernelSize, stride: stride)
        else {
            throw NetworkShapeError(
                layer: name, inputShape: inputShape,
                reason: "a \(kernelSize)x\(kernelSize) window does not fit, the output would be smaller than one pixel")
        }
        return Array(shape.dropFirst())
    }

    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        input.mapFolded { $0.averagePooled(kernel: kernelSize, stride: stride) }
    }

    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        input.averagePooled(kernel: kernelSize, stride: stride)
    }
}

/// Flattens each sample to one axis: [T, N, C, H, W] -> [T, N, C·H·W] (C, H, W order).
public struct Flatten: Layer {
    /// A flattening layer.
    public init() {}

    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] { [inputShape.reduce(1, *)] }

    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        input.mapFolded { $0.flattened() }
    }

    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        input.flattened()
    }
}
