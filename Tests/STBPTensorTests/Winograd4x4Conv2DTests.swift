import Testing

@testable import STBPTensor

/// Winograd F(4x4, 3x3) against the naive convolution loops.
@Suite struct Winograd4x4Conv2DTests {
    typealias Case = WinogradConv2DTests.Case

    /// Map sizes with partial tiles (1, 2 and 3 rows or columns past the last full tile),
    /// groups of 4 and 16 tiles and their remainders (the output transform takes 16 GEMM
    /// columns at a time, across tile rows and samples: 70 columns are 17 full tiles and a
    /// partial one a row), single rows and columns, a 34x34 map, and up to 384 input channels
    /// (the error grows with the sum's length).
    static let cases: [Case] = [
        Case(batch: 2, channels: 16, outChannels: 16, height: 8, width: 8),
        Case(batch: 3, channels: 17, outChannels: 20, height: 7, width: 9),
        Case(batch: 1, channels: 16, outChannels: 24, height: 17, width: 17),
        Case(batch: 2, channels: 3, outChannels: 5, height: 5, width: 6),
        Case(batch: 2, channels: 2, outChannels: 3, height: 1, width: 11),
        Case(batch: 1, channels: 1, outChannels: 2, height: 12, width: 1),
        Case(batch: 1, channels: 8, outChannels: 4, height: 34, width: 34),
        Case(batch: 1, channels: 5, outChannels: 3, height: 33, width: 35),
        Case(batch: 1, channels: 384, outChannels: 4, height: 9, width: 8),
        Case(batch: 2, channels: 3, outChannels: 2, height: 9, width: 70),
        Case(batch: 5, channels: 2, outChannels: 3, height: 8, width: 8),
    ]

    @Test(arguments: cases)
    func winogradEqualsTheNaiveConvolution(_ c: Case) {
        let (x, w, b, slow, _) = WinogradConv2DTests.problem(c)
        let fast = Winograd4x4Conv2D.forward(input: x, weight: w, bias: b)
        #expect(fast.shape == slow.shape)
        #expect(fast.relativeDifference(to: slow) < 2e-5)
    }

    /// dL/dw = Gᵀ (Σ Z[ξ] · V[ξ]ᵀ) G with F(4x4) transforms, against the naive loops, on the
    /// same maps (partial tiles, groups of four and their remainders, single rows, 384 maps),
    /// in one chunk and in chunks of one sample on the compute threads.
    @Test(arguments: cases)
    func weightGradientEqualsTheNaiveLoops(_ c: Case) {
        var (x, w, _, slow, g) = WinogradConv2DTests.problem(c)
        let dy = Tensor.normal(slow.shape, using: &g)
        let expected = NaiveConv2DKernel.backward(gradOutput: dy, input: x, weight: w, stride: 1, padding: 1).weight
        for samplesPerChunk in [nil, 1] {
            let fast = Winograd4x4Conv2D.weightGradient(
                gradOutput: dy, input: x, weight: w, samplesPerChunk: samplesPerChunk)
            #expect(fast.shape == expected.shape)
            #expect(fast.relativeDifference(to: expected) < 2e-5)
        }
    }

    /// Binary spikes, as between spiking layers, with a 10% firing rate.
    @Test func spikeInputsMatchTheNaiveConvolution() {
        var g = SeededGenerator(seed: 7)
        let x = Tensor.uniform([2, 128, 10, 11], using: &g).map { $0 < 0.1 ? 1 : 0 }
        let w = Tensor.normal([8, 128, 3, 3], using: &g)
        let fast = Winograd4x4Conv2D.forward(input: x, weight: w, bias: nil)
        let slow = NaiveConv2DKernel.forward(input: x, weight: w, bias: nil, stride: 1, padding: 1)
        #expect(fast.relativeDifference(to: slow) < 2e-5)
    }

    /// Conv2DKernel sends conv2d here only for wide 3x3 same convolutions on maps where partial
    /// tiles waste little GEMM work, and the result still equals the naive loops; so do dL/dx
    /// (the forward convolution of dL/dy) and dL/dw of the backward pass.
    @Test func conv2DKernelDispatchesWholeTileMapsHere() {
        func geometry(_ c: Int, _ h: Int, _ w: Int) -> Conv2DGeometry {
            Conv2DGeometry(inputShape: [1, c, h, w], weightShape: [64, c, 3, 3], stride: 1, padding: 1)
        }
        #expect(Winograd4x4Conv2D.applies(to: geometry(64, 8, 12)))
        // GEMM work against F(2x2, 3x3): 34x34 63%, 17x17 69%, 8x10 68%, 9x9 81%, 5x5 100%.
        #expect(Winograd4x4Conv2D.applies(to: geometry(64, 34, 34)))
        #expect(Winograd4x4Conv2D.applies(to: geometry(64, 17, 17)))
        #expect(Winograd4x4Conv2D.applies(to: geometry(64, 8, 10)))
        #expect(!Winograd4x4Conv2D.applies(to: geometry(64, 9, 9)))
        #expect(!Winograd4x4Conv2D.applies(to: geometry(64, 5, 5)))
        #expect(!Winograd4x4Conv2D.applies(to: geometry(32, 8, 8)))
        var g = SeededGenerator(seed: 11)
        let x = Tensor.normal([1, 64, 8, 12], using: &g)
        let w = Tensor.normal([64, 64, 3, 3], using: &g)
        let b = Tensor.normal([64], using: &g)
        let fast = Conv2DKernel.forward(input: x, weight: w, bias: b, stride: 1, padding: 1)
        let slow = NaiveConv2DKernel.forward(input: x, weight: w, bias: b, stride: 1, padding: 1)
        #expect(fast.relativeDifference(to: slow) < 2e-5)
        #expect(Conv2DKernel.forwardGEMMShape(geometry(64, 8, 12)) == [64, 6, 64])

        // The backward pass on this map and on one with partial tiles (8x10).
        for x in [x, Tensor.normal([1, 64, 8, 10], using: &g)] {
            let dy = Tensor.normal([1, 64, x.shape[2], x.shape[3]], using: &g)
            let fastGrads = Conv2DKernel.backward(gradOutput: dy, input: x, weight: w, stride: 1, padding: 1)
            let slowGrads = NaiveConv2DKernel.backward(gradOutput: dy, input: x, weight: w, stride: 1, padding: 1)
            #expect(fastGrads.input!.relativeDifference(to: slowGrads.input) < 2e-5)
            #expect(fastGrads.weight.relativeDifference(to: slowGrads.weight) < 2e-5)
        }
    }
}
