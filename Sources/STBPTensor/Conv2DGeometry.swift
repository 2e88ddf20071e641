/// The sizes of one 2-D convolution, NCHW: input [N, C, H, W], weight [O, C, kh, kw],
/// output [N, O, Ho, Wo] with Ho = (H + 2 * padding - kh) / stride + 1 (and Wo alike).
package struct Conv2DGeometry: Hashable, Sendable {
    package let batch: Int
    package let inChannels: Int
    package let height: Int
    package let width: Int
    package let outChannels: Int
    package let kernelHeight: Int
    package let kernelWidth: Int
    package let stride: Int
    package let padding: Int

    /// The geometry for an input and a weight shape; stops with both shapes if they do not fit.
    package init(inputShape: [Int], weightShape: [Int], stride: Int, padding: Int) {
        precondition(inputShape.count == 4, "conv2d input must be [N, C, H, W], got \(inputShape).")
        precondition(weightShape.count == 4, "conv2d weight must be [O, C, kh, kw], got \(weightShape).")
        precondition(
            inputShape[1] == weightShape[1],
            "conv2d input \(inputShape) has \(inputShape[1]) channels but weight \(weightShape) expects \(weightShape[1])."
        )
        precondition(
            stride >= 1 && padding >= 0, "conv2d needs stride >= 1 and padding >= 0, got \(stride), \(padding).")
        batch = inputShape[0]
        inChannels = inputShape[1]
        height = inputShape[2]
        width = inputShape[3]
        outChannels = weightShape[0]
        kernelHeight = weightShape[2]
        kernelWidth = weightShape[3]
        self.stride = stride
        self.padding = padding
        precondition(
            height + 2 * padding >= kernelHeight && width + 2 * padding >= kernelWidth,
            "conv2d kernel \(weightShape) does not fit input \(inputShape) with padding \(padding).")
        // Stored rather than computed: the im2col loops read them per plane and tap.
        outHeight = (height + 2 * padding - kernelHeight) / stride + 1
        outWidth = (width + 2 * padding - kernelWidth) / stride + 1
        outPixels = outHeight * outWidth
        inPixels = height * width
        patchSize = inChannels * kernelHeight * kernelWidth
    }

    /// Output rows, (H + 2 * padding - kh) / stride + 1.
    package let outHeight: Int
    /// Output columns, (W + 2 * padding - kw) / stride + 1.
    package let outWidth: Int
    /// Output pixels per map, Ho * Wo.
    package let outPixels: Int
    /// Input pixels per map, H * W.
    package let inPixels: Int
    /// Rows of the im2col matrix, C * kh * kw (the GEMM's inner size).
    package let patchSize: Int
    /// The output shape [N, O, Ho, Wo].
    package var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    /// The input shape [N, C, H, W].
    package var inputShape: [Int] { [batch, inChannels, height, width] }
    /// The weight shape [O, C, kh, kw].
    package var weightShape: [Int] { [outChannels, inChannels, kernelHeight, kernelWidth] }
    /// Multiply-accumulates of the forward pass per sample.
    package var macsPerSample: Int { outChannels * outPixels * patchSize }
}
