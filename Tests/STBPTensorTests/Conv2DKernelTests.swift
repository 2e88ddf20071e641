import STBPTensor
import Testing

/// One convolution shape of the test grid.
struct ConvCase: CustomTestStringConvertible, Sendable {
    let batch, channels, height, width, outChannels, kernel, stride, padding: Int
    var testDescription: String {
        "N\(batch) C\(channels) \(height)x\(width) -> \(outChannels) k\(kernel) s\(stride) p\(padding)"
    }

    /// Batches > 1, strides 1 and 2, padding 0 to 2, kernels 1, 3 and 5, non-square images,
    /// 1 to 64 channels.
    static let grid: [ConvCase] = {
        var cases: [ConvCase] = []
        let channelPairs = [(1, 4), (3, 8), (16, 1), (64, 5), (5, 64)]
        for (index, (c, o)) in channelPairs.enumerated() {
            for kernel in [1, 3, 5] {
                for stride in [1, 2] {
                    for padding in 0...2 where kernel <= 7 + 2 * padding {
                        let h = 7 + index % 3, w = 9 - index % 2
                        cases.append(
                            ConvCase(
                                batch: 2 + index % 2, channels: c, height: h, width: w, outChannels: o, kernel: kernel,
                                stride: stride, padding: padding))
                    }
                }
            }
        }
        return cases
    }()

    /// Kernels wider than the map with padding that keeps the output the map's size: some taps
    /// see no input row at all (found by FuzzNetworkSpec: 13C23 on a 9x7 map trapped in im2col).
    static let wideKernels = [
        ConvCase(batch: 2, channels: 2, height: 9, width: 7, outChannels: 3, kernel: 23, stride: 1, padding: 11),
        ConvCase(batch: 1, channels: 1, height: 4, width: 3, outChannels: 2, kernel: 11, stride: 1, padding: 5),
        ConvCase(batch: 2, channels: 3, height: 3, width: 5, outChannels: 2, kernel: 9, stride: 2, padding: 4),
        ConvCase(batch: 1, channels: 2, height: 1, width: 1, outChannels: 2, kernel: 7, stride: 1, padding: 3),
    ]
}

@Suite struct Conv2DKernelTests {
    @Test(arguments: ConvCase.grid + ConvCase.wideKernels)
    func im2colConvolutionEqualsTheNaiveConvolution(_ c: ConvCase) {
        var g = SeededGenerator(seed: UInt64(c.channels * 1000 + c.kernel * 10 + c.stride + c.padding * 100))
        let x = Tensor.normal([c.batch, c.channels, c.height, c.width], using: &g)
        let w = Tensor.normal([c.outChannels, c.channels, c.kernel, c.kernel], using: &g)
        let b = Tensor.normal([c.outChannels], using: &g)
        let fast = Conv2DKernel.forward(input: x, weight: w, bias: b, stride: c.stride, padding: c.padding)
        let slow = NaiveConv2DKernel.forward(input: x, weight: w, bias: b, stride: c.stride, padding: c.padding)
        #expect(fast.shape == slow.shape)
        #expect(fast.relativeDifference(to: slow) < 1e-4)

        let dy = Tensor.normal(slow.shape, using: &g)
        let fastGrads = Conv2DKernel.backward(gradOutput: dy, input: x, weight: w, stride: c.stride, padding: c.padding)
        let slowGrads = NaiveConv2DKernel.backward(
            gradOutput: dy, input: x, weight: w, stride: c.stride, padding: c.padding)
        #expect(fastGrads.input!.relativeDifference(to: slowGrads.input) < 1e-4)
        #expect(fastGrads.weight.relativeDifference(to: slowGrads.weight) < 1e-4)
        #expect(fastGrads.bias.relativeDifference(to: slowGrads.bias) < 1e-4)
    }

    @Test func manyChunksGiveTheSameResultAsOne() {
        // 2x2 output pixels per sample: a chunk holds 4096 / 4 = 1024 samples, so 1100 need two.
        var g = SeededGenerator(seed: 99)
        let x = Tensor.normal([1100, 2, 3, 3], using: &g)
        let w = Tensor.normal([3, 2, 2, 2], using: &g)
        let fast = Conv2DKernel.forward(input: x, weight: w, bias: nil)
        let slow = NaiveConv2DKernel.forward(input: x, weight: w, bias: nil)
        #expect(fast.relativeDifference(to: slow) < 1e-5)
    }

    /// 64x64 outputs: one sample per chunk, so five chunks, shared unevenly among the compute
    /// threads (`forEachChunk`), forward and backward.
    @Test func chunksOnSeveralThreadsEqualTheNaiveConvolution() {
        var (x, w, b, slow, g) = WinogradConv2DTests.problem(
            .init(
                batch: 5, channels: 2, outChannels: 3, height: 64, width: 64))
        let fast = Conv2DKernel.forward(input: x, weight: w, bias: b, stride: 1, padding: 1)
        #expect(fast.relativeDifference(to: slow) < 1e-5)
        let dy = Tensor.normal(slow.shape, using: &g)
        let fastGrads = Conv2DKernel.backward(gradOutput: dy, input: x, weight: w, stride: 1, padding: 1)
        let slowGrads = NaiveConv2DKernel.backward(gradOutput: dy, input: x, weight: w, stride: 1, padding: 1)
        #expect(fastGrads.input!.relativeDifference(to: slowGrads.input) < 1e-5)
        #expect(fastGrads.weight.relativeDifference(to: slowGrads.weight) < 1e-5)
        #expect(fastGrads.bias.relativeDifference(to: slowGrads.bias) < 1e-5)
    }

    @Test func anEmptyBatchGivesEmptyOutputsAndZeroWeightGradients() {
        let x = Tensor(zeros: [0, 2, 5, 5])
        let w = Tensor(shape: [3, 2, 3, 3], repeating: 1)
        #expect(Conv2DKernel.forward(input: x, weight: w, bias: nil, padding: 1).shape == [0, 3, 5, 5])
        let grads = Conv2DKernel.backward(gradOutput: Tensor(zeros: [0, 3, 5, 5]), input: x, weight: w, padding: 1)
        #expect(grads.input!.shape == [0, 2, 5, 5])
        #expect(grads.weight == Tensor(zeros: [3, 2, 3, 3]))
        #expect(grads.bias == Tensor(zeros: [3]))
    }

    @Test func outputShapeFollowsTheConvolutionArithmetic() {
        let geometry = Conv2DGeometry(inputShape: [2, 3, 32, 30], weightShape: [8, 3, 5, 5], stride: 2, padding: 1)
        #expect(geometry.outputShape == [2, 8, 15, 14])
        #expect(geometry.patchSize == 75)
    }
}

@Suite struct AvgPool2DKernelTests {
    @Test func poolingAveragesEachWindow() {
        let x = Tensor(shape: [1, 1, 2, 4], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        let y = AvgPool2DKernel.forward(x, kernel: 2, stride: 2)
        #expect(y.shape == [1, 1, 1, 2])
        #expect(y.scalars == [3.5, 5.5])
    }

    @Test func overlappingWindowsSpreadTheirGradient() {
        let dy = Tensor(shape: [1, 1, 2, 2], repeating: 9)
        let dx = AvgPool2DKernel.backward(dy, inputShape: [1, 1, 5, 5], kernel: 3, stride: 2)
        // The centre pixel is covered by all four 3x3 windows of stride 2.
        #expect(dx[0, 0, 2, 2] == 4)
        #expect(dx[0, 0, 0, 0] == 1)
        #expect(dx[0, 0, 4, 4] == 1)
        #expect(dx.sum() == 36)
    }

    @Test func aWindowLargerThanTheImageHasNoOutputShape() {
        #expect(AvgPool2DKernel.outputShape(inputShape: [1, 1, 1, 1], kernel: 2, stride: 2) == nil)
    }
}

@Suite struct ComputeThreadsTests {
    @Test func parallelForVisitsEveryIndexOnce() {
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 1000)
        defer { counts.deallocate() }
        counts.initialize(repeating: 0)
        let shared = SendablePointer(counts.baseAddress!)
        parallelFor(1000, grain: 10) { range in
            for i in range { shared.pointer[i] += 1 }
        }
        #expect(counts.allSatisfy { $0 == 1 })
    }

    @Test func theThreadCountIsReadBackFromOpenBLAS() {
        let before = ComputeThreads.count
        ComputeThreads.set(1)
        #expect(ComputeThreads.count == 1)
        ComputeThreads.set(before)
        #expect(!ComputeThreads.blasCoreName.isEmpty)
    }
}

struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int>
    init(_ pointer: UnsafeMutablePointer<Int>) { self.pointer = pointer }
}

/// The pooling kernels (with their k = s = 2 loops) against the obvious loops over windows.
@Suite struct AvgPool2DReferenceTests {
    func naivePool(_ x: Tensor, kernel: Int, stride: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (ho, wo) = ((h - kernel) / stride + 1, (w - kernel) / stride + 1)
        var y = Tensor(zeros: [n, c, ho, wo])
        for a in 0..<n {
            for b in 0..<c {
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        var total: Float = 0
                        for i in 0..<kernel {
                            for j in 0..<kernel { total += x[a, b, oy * stride + i, ox * stride + j] }
                        }
                        y[a, b, oy, ox] = total / Float(kernel * kernel)
                    }
                }
            }
        }
        return y
    }

    func naiveUnpool(_ dy: Tensor, inputShape: [Int], kernel: Int, stride: Int) -> Tensor {
        var dx = Tensor(zeros: inputShape)
        for a in 0..<dy.shape[0] {
            for b in 0..<dy.shape[1] {
                for oy in 0..<dy.shape[2] {
                    for ox in 0..<dy.shape[3] {
                        for i in 0..<kernel {
                            for j in 0..<kernel {
                                dx[a, b, oy * stride + i, ox * stride + j] += dy[a, b, oy, ox] / Float(kernel * kernel)
                            }
                        }
                    }
                }
            }
        }
        return dx
    }

    @Test(arguments: [(2, 2, 8, 6), (2, 2, 7, 9), (3, 2, 7, 7), (2, 3, 8, 8), (3, 3, 9, 10), (1, 1, 3, 4)])
    func poolingAndItsGradientEqualTheLoopsOverWindows(kernel: Int, stride: Int, height: Int, width: Int) {
        var g = SeededGenerator(seed: 12)
        let x = Tensor.normal([3, 5, height, width], using: &g)
        let y = AvgPool2DKernel.forward(x, kernel: kernel, stride: stride)
        #expect(y.relativeDifference(to: naivePool(x, kernel: kernel, stride: stride)) < 1e-6)
        let dy = Tensor.normal(y.shape, using: &g)
        let dx = AvgPool2DKernel.backward(dy, inputShape: x.shape, kernel: kernel, stride: stride)
        #expect(dx.relativeDifference(to: naiveUnpool(dy, inputShape: x.shape, kernel: kernel, stride: stride)) < 1e-6)
    }
}

@Suite struct Im2colTests {
    /// <im2col(x), c> = <x, col2im(c)> for both col2im entry points; the adding one leaves its
    /// columns untouched.
    @Test(arguments: [ConvCase.grid[7], ConvCase.grid[32], ConvCase.grid[46], ConvCase.grid[54], ConvCase.grid[78]])
    func col2imIsTheAdjointOfIm2col(_ c: ConvCase) {
        var g = SeededGenerator(seed: 21)
        let geometry = Conv2DGeometry(
            inputShape: [c.batch, c.channels, c.height, c.width],
            weightShape: [c.outChannels, c.channels, c.kernel, c.kernel], stride: c.stride, padding: c.padding)
        let x = Tensor.normal(geometry.inputShape, using: &g)
        let columns = Tensor.normal([geometry.patchSize, c.batch * geometry.outPixels], using: &g)
        let before = columns.scalars
        let im2col = Tensor(shape: columns.shape) { out in
            x.withUnsafeBufferPointer {
                Im2col.im2col($0.baseAddress!, geometry: geometry, samples: c.batch, into: out.baseAddress!)
            }
        }
        let added = Tensor(shape: x.shape) { out in
            out.update(repeating: 0)
            columns.withUnsafeBufferPointer {
                Im2col.col2im($0.baseAddress!, geometry: geometry, samples: c.batch, addingInto: out.baseAddress!)
            }
        }
        var scratch = columns
        let written = Tensor(shape: x.shape) { out in
            scratch.withUnsafeMutableBufferPointer {
                Im2col.col2im(scratch: $0.baseAddress!, geometry: geometry, samples: c.batch, into: out.baseAddress!)
            }
        }
        let left = (im2col * columns).sum()
        #expect(columns.scalars == before)
        #expect(abs(left - (x * added).sum()) < 1e-3 * max(1, abs(left)))
        #expect(written.relativeDifference(to: added) < 1e-6)
    }
}
