import Testing

@testable import STBPTensor

/// Winograd F(2x2, 3x3) against the naive convolution loops: forward, dL/dx, dL/dw and dL/db.
@Suite struct WinogradConv2DTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let batch, channels, outChannels, height, width: Int
        var testDescription: String { "N\(batch) C\(channels) -> \(outChannels) \(height)x\(width)" }
    }

    /// Even and odd sizes (partial tiles at the bottom and right), groups of 4 tiles and
    /// their remainders (35 tiles a row: eight groups and three tiles), single rows and
    /// columns, and channel counts on both sides of 16.
    static let cases: [Case] = [
        Case(batch: 2, channels: 16, outChannels: 16, height: 8, width: 8),
        Case(batch: 3, channels: 17, outChannels: 20, height: 7, width: 9),
        Case(batch: 1, channels: 16, outChannels: 24, height: 17, width: 17),
        Case(batch: 2, channels: 3, outChannels: 5, height: 5, width: 4),
        Case(batch: 2, channels: 2, outChannels: 3, height: 1, width: 11),
        Case(batch: 1, channels: 1, outChannels: 2, height: 12, width: 1),
        Case(batch: 4, channels: 8, outChannels: 4, height: 34, width: 34),
        Case(batch: 2, channels: 3, outChannels: 4, height: 5, width: 70),
    ]

    /// Seeded random input, kernel and bias for a case, the naive loops' output, and the
    /// generator to draw more from.
    static func problem(_ c: Case) -> (x: Tensor, w: Tensor, b: Tensor, expected: Tensor, g: SeededGenerator) {
        var g = SeededGenerator(seed: UInt64(c.channels * 100 + c.height))
        let x = Tensor.normal([c.batch, c.channels, c.height, c.width], using: &g)
        let w = Tensor.normal([c.outChannels, c.channels, 3, 3], using: &g)
        let b = Tensor.normal([c.outChannels], using: &g)
        return (x, w, b, NaiveConv2DKernel.forward(input: x, weight: w, bias: b, stride: 1, padding: 1), g)
    }

    @Test(arguments: cases)
    func winogradEqualsTheNaiveConvolution(_ c: Case) {
        var (x, w, b, slow, g) = Self.problem(c)
        let fast = WinogradConv2D.forward(input: x, weight: w, bias: b)
        #expect(fast.shape == slow.shape)
        #expect(fast.relativeDifference(to: slow) < 1e-5)

        let dy = Tensor.normal(slow.shape, using: &g)
        let fastGrads = WinogradConv2D.backward(gradOutput: dy, input: x, weight: w)
        let slowGrads = NaiveConv2DKernel.backward(gradOutput: dy, input: x, weight: w, stride: 1, padding: 1)
        #expect(fastGrads.input!.relativeDifference(to: slowGrads.input) < 1e-5)
        #expect(fastGrads.weight.relativeDifference(to: slowGrads.weight) < 1e-5)
        #expect(fastGrads.bias.relativeDifference(to: slowGrads.bias) < 1e-5)
        #expect(WinogradConv2D.backward(gradOutput: dy, input: x, weight: w, inputGradient: false).input == nil)
    }

    /// Chunks of 1 and 2 samples of a batch of 5, shared unevenly among the compute threads,
    /// each with its own transform buffers (and dU), in both algorithms, forward and backward.
    @Test(arguments: [1, 2])
    func chunksOnSeveralThreadsEqualTheNaiveConvolution(_ samplesPerChunk: Int) {
        var (x, w, b, slow, g) = Self.problem(.init(batch: 5, channels: 6, outChannels: 7, height: 12, width: 9))
        let small = WinogradConv2D.convolution(input: x, weight: w, bias: b, samplesPerChunk: samplesPerChunk)
        #expect(small.relativeDifference(to: slow) < 1e-5)
        let large = Winograd4x4Conv2D.convolution(input: x, weight: w, bias: b, samplesPerChunk: samplesPerChunk)
        #expect(large.relativeDifference(to: slow) < 2e-5)

        let dy = Tensor.normal(slow.shape, using: &g)
        let fastGrads = WinogradConv2D.backward(
            gradOutput: dy, input: x, weight: w, inputGradient: true, samplesPerChunk: samplesPerChunk)
        let slowGrads = NaiveConv2DKernel.backward(gradOutput: dy, input: x, weight: w, stride: 1, padding: 1)
        #expect(fastGrads.input!.relativeDifference(to: slowGrads.input) < 1e-5)
        #expect(fastGrads.weight.relativeDifference(to: slowGrads.weight) < 1e-5)
    }

    /// A chunk holds the samples whose transformed input fits `cachedBudget`, but at
    /// least `minimumColumns` tiles, and at most the batch.
    @Test func forwardChunksFitTheCacheButStayWide() {
        func geometry(_ n: Int, _ c: Int, _ side: Int) -> Conv2DGeometry {
            Conv2DGeometry(inputShape: [n, c, side, side], weightShape: [c, c, 3, 3], stride: 1, padding: 1)
        }
        let nmnist = geometry(160, 128, 34)  // 289 tiles, 16 x 128 x 289 scalars a sample
        #expect(WinogradConv2D.cachedChunkSize(nmnist, WinogradConv2D.tiling(nmnist)) == 1)
        let deep = geometry(160, 384, 17)  // 81 tiles: 4 samples reach 256 columns
        #expect(WinogradConv2D.cachedChunkSize(deep, WinogradConv2D.tiling(deep)) == 4)
        let narrow = geometry(160, 64, 8)  // 16 tiles, 16 x 64 x 16 scalars: 64 samples fit
        #expect(WinogradConv2D.cachedChunkSize(narrow, WinogradConv2D.tiling(narrow)) == 64)
        let small = geometry(3, 64, 8)
        #expect(WinogradConv2D.cachedChunkSize(small, WinogradConv2D.tiling(small)) == 3)
    }

    @Test func onlyWideThreeByThreeSamePaddingConvolutionsApply() {
        func geometry(_ c: Int, _ o: Int, k: Int = 3, stride: Int = 1, padding: Int = 1) -> Conv2DGeometry {
            Conv2DGeometry(inputShape: [1, c, 8, 8], weightShape: [o, c, k, k], stride: stride, padding: padding)
        }
        #expect(WinogradConv2D.applies(to: geometry(128, 128)))
        #expect(!WinogradConv2D.applies(to: geometry(2, 128)))
        #expect(!WinogradConv2D.applies(to: geometry(128, 128, stride: 2)))
        #expect(!WinogradConv2D.applies(to: geometry(128, 128, padding: 0)))
        #expect(!WinogradConv2D.applies(to: geometry(128, 128, k: 5, padding: 2)))
    }
}
