/// 2-D convolution by im2col and one GEMM per chunk of samples, NCHW; 3x3 convolutions with
/// stride 1 and padding 1 between wide layers go to `WinogradConv2D` instead, and their
/// forward and backward passes to `Winograd4x4Conv2D` where partial tiles waste little.
///
/// Forward: y[n, o] = b[o] + sum_{c,i,j} w[o, c, i, j] * x[n, c, oy*s - p + i, ox*s - p + j].
/// Samples are processed in chunks whose column matrices [C*kh*kw, S*Ho*Wo] are wide enough
/// for GEMM to run near the machine's sgemm rate, yet small enough to stay in a core's L2
/// cache between im2col writing them and GEMM reading them.
package enum Conv2DKernel {
    /// The largest column matrix a chunk may use, in scalars: 1 MB, half a core's L2 cache
    /// (mnist training, 2 threads: its 32-map layer's 4.7 MB column matrices of 21 samples ->
    /// 0.9 MB of 4 samples, minimum step 0.107-0.121 s -> 0.095-0.100 s).
    static let columnBudget = 1 << 18

    /// Samples per chunk: enough for about 4096 GEMM columns, within the column budget.
    static func chunkSize(_ g: Conv2DGeometry) -> Int {
        let wanted = (4096 + g.outPixels - 1) / max(g.outPixels, 1)
        let affordable = columnBudget / max(g.patchSize * g.outPixels, 1)
        return max(1, min(g.batch, wanted, affordable))
    }

    /// Samples per chunk, chunks, threads that take chunks (`forEachChunk`), and the scalars of
    /// one chunk's column matrix [C*kh*kw, S*P] and of its [O, S*P] product (or gathered dL/dy).
    static func chunking(
        _ g: Conv2DGeometry
    ) -> (
        chunk: Int, chunks: Int, workers: Int, columnSize: Int, productSize: Int
    ) {
        let chunk = chunkSize(g)
        let chunks = (g.batch + chunk - 1) / chunk
        return (
            chunk, chunks, chunkWorkers(chunks), max(1, g.patchSize * chunk * g.outPixels),
            max(1, g.outChannels * chunk * g.outPixels)
        )
    }

    /// The [m, n, k] of the forward GEMM for one chunk of samples.
    package static func forwardGEMMShape(_ g: Conv2DGeometry) -> [Int] {
        if Winograd4x4Conv2D.applies(to: g) { return Winograd4x4Conv2D.forwardGEMMShape(g) }
        if WinogradConv2D.applies(to: g) { return WinogradConv2D.forwardGEMMShape(g) }
        return [g.outChannels, chunkSize(g) * g.outPixels, g.patchSize]
    }

    /// y = conv2d(x, w) + b: input [N, C, H, W], weight [O, C, kh, kw], bias [O] -> [N, O, Ho, Wo].
    package static func forward(
        input: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0
    ) -> Tensor {
        let g = Conv2DGeometry(inputShape: input.shape, weightShape: weight.shape, stride: stride, padding: padding)
        if Winograd4x4Conv2D.applies(to: g) {
            return Winograd4x4Conv2D.forward(input: input, weight: weight, bias: bias)
        }
        if WinogradConv2D.applies(to: g) { return WinogradConv2D.forward(input: input, weight: weight, bias: bias) }
        if let bias {
            precondition(bias.shape == [g.outChannels], "conv2d bias must be [\(g.outChannels)], got \(bias.shape).")
        }
        let (chunk, chunks, workers, columnSize, productSize) = chunking(g)
        let (columnBuffer, productBuffer) = (ScratchBuffer(workers * columnSize), ScratchBuffer(workers * productSize))
        let (columnScratch, productScratch) = (columnBuffer.pointer, productBuffer.pointer)
        defer {
            columnBuffer.release()
            productBuffer.release()
        }
        return Tensor(shape: g.outputShape) { out in
            input.withUnsafeBufferPointer { x in
                weight.withUnsafeBufferPointer { w in
                    forEachChunk(workers: workers, chunks) { worker, index in
                        let first = index * chunk
                        let samples = min(chunk, g.batch - first)
                        let width = samples * g.outPixels
                        let columns = columnScratch + worker * columnSize
                        let product = productScratch + worker * productSize
                        Im2col.im2col(
                            x.baseAddress! + first * g.inChannels * g.inPixels, geometry: g, samples: samples,
                            into: columns)
                        BLAS.sgemm(
                            m: g.outChannels, n: width, k: g.patchSize,
                            a: w.baseAddress!, lda: g.patchSize, b: columns, ldb: width, c: product, ldc: width)
                        scatter(
                            product, g, samples: samples, into: out.baseAddress! + first * g.outChannels * g.outPixels,
                            bias: bias)
                    }
                }
            }
        }
    }

    /// Moves a product [O, S*P] into NCHW output [S, O, P], adding the bias.
    static func scatter(
        _ product: UnsafePointer<Float>, _ g: Conv2DGeometry, samples: Int,
        into out: UnsafeMutablePointer<Float>, bias: Tensor?
    ) {
        let pixels = g.outPixels, width = samples * pixels
        let biasScalars = bias?.scalars
        let task = UncheckedSendable((product, out))
        parallelFor(samples * g.outChannels, grain: 16) { range in
            let (product, out) = task.value
            for row in range {
                let s = row / g.outChannels, o = row % g.outChannels
                let source = product + o * width + s * pixels
                let target = out + row * pixels
                let b = biasScalars?[o] ?? 0
                for p in 0..<pixels { target[p] = source[p] + b }
            }
        }
    }

    /// Moves NCHW gradients [S, O, P] into a matrix [O, S*P].
    static func gather(
        _ gradOutput: UnsafePointer<Float>, _ g: Conv2DGeometry, samples: Int,
        into matrix: UnsafeMutablePointer<Float>
    ) {
        let pixels = g.outPixels, width = samples * pixels
        let task = UncheckedSendable((gradOutput, matrix))
        parallelFor(samples * g.outChannels, grain: 16) { range in
            let (gradOutput, matrix) = task.value
            for row in range {
                let s = row / g.outChannels, o = row % g.outChannels
                (matrix + o * width + s * pixels).update(from: gradOutput + row * pixels, count: pixels)
            }
        }
    }

    /// Gradients of conv2d: dL/dx (by col2im, when `inputGradient`), dL/dw and dL/db, given
    /// dL/dy [N, O, Ho, Wo], the forward input [N, C, H, W] and weight [O, C, kh, kw].
    package static func backward(
        gradOutput: Tensor, input: Tensor, weight: Tensor, stride: Int = 1, padding: Int = 0,
        inputGradient: Bool = true
    ) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
        let g = Conv2DGeometry(inputShape: input.shape, weightShape: weight.shape, stride: stride, padding: padding)
        if WinogradConv2D.applies(to: g) {
            return WinogradConv2D.backward(
                gradOutput: gradOutput, input: input, weight: weight, inputGradient: inputGradient)
        }
        let (dx, dw) = im2colGradients(
            gradOutput: gradOutput, input: input, weight: weight, g, inputGradient: inputGradient)
        return (dx, dw!, sumPerChannel(gradOutput))
    }

    /// dL/dw [O, C, kh, kw] alone, given dL/dy [N, O, Ho, Wo], the forward input [N, C, H, W] and
    /// the weight.
    package static func weightGradient(
        gradOutput: Tensor, input: Tensor, weight: Tensor, stride: Int = 1, padding: Int = 0
    ) -> Tensor {
        let g = Conv2DGeometry(inputShape: input.shape, weightShape: weight.shape, stride: stride, padding: padding)
        if WinogradConv2D.applies(to: g) {
            return WinogradConv2D.layerWeightGradient(gradOutput: gradOutput, input: input, weight: weight)
        }
        return im2colGradients(gradOutput: gradOutput, input: input, weight: weight, g, inputGradient: false).weight!
    }

    /// dL/dx [N, C, H, W] alone, given dL/dy [N, O, Ho, Wo] and the weight: what a convolution
    /// whose weight gradient is computed elsewhere needs.
    package static func inputGradient(
        gradOutput: Tensor, weight: Tensor, inputShape: [Int], stride: Int = 1, padding: Int = 0
    ) -> Tensor {
        let g = Conv2DGeometry(inputShape: inputShape, weightShape: weight.shape, stride: stride, padding: padding)
        if WinogradConv2D.applies(to: g) {
            return WinogradConv2D.layerInputGradient(gradOutput: gradOutput, weight: weight)
        }
        return im2colGradients(gradOutput: gradOutput, input: nil, weight: weight, g, inputGradient: true).input!
    }

    /// The im2col passes of `backward`: dL/dw when `input` is given, dL/dx when `inputGradient`.
    static func im2colGradients(
        gradOutput: Tensor, input: Tensor?, weight: Tensor, _ g: Conv2DGeometry, inputGradient: Bool
    ) -> (input: Tensor?, weight: Tensor?) {
        precondition(
            gradOutput.shape == g.outputShape,
            "conv2d gradient must be \(g.outputShape) for input \(g.inputShape), got \(gradOutput.shape).")
        let (chunk, chunks, workers, columnSize, gatheredSize) = chunking(g)
        let weightSize = g.outChannels * g.patchSize
        let (columnBuffer, gatheredBuffer) = (
            ScratchBuffer(workers * columnSize), ScratchBuffer(workers * gatheredSize)
        )
        let (columnScratch, gatheredScratch) = (columnBuffer.pointer, gatheredBuffer.pointer)
        let partialWeights = WorkerSums(workers: input == nil ? 1 : workers, size: input == nil ? 1 : weightSize)
        defer {
            columnBuffer.release()
            gatheredBuffer.release()
            partialWeights.release()
        }
        // Every plane of dL/dx is written by col2im (zeroed first), so it starts uninitialised.
        var gradInput: Tensor? = inputGradient ? Tensor(shape: g.inputShape) { _ in } : nil
        func run(_ dx: UnsafeMutablePointer<Float>?) {
            withOptionalBuffer(input) { x in
                weight.withUnsafeBufferPointer { w in
                    gradOutput.withUnsafeBufferPointer { dy in
                        forEachChunk(workers: workers, chunks) { worker, index in
                            let first = index * chunk
                            let samples = min(chunk, g.batch - first)
                            let width = samples * g.outPixels
                            let columns = columnScratch + worker * columnSize
                            let gathered = gatheredScratch + worker * gatheredSize
                            gather(
                                dy.baseAddress! + first * g.outChannels * g.outPixels, g, samples: samples,
                                into: gathered)
                            if let x {
                                Im2col.im2col(
                                    x + first * g.inChannels * g.inPixels, geometry: g, samples: samples,
                                    into: columns)
                                // dW [O, K] += G [O, S*P] x colᵀ [S*P, K]
                                BLAS.sgemm(
                                    transposeB: true, m: g.outChannels, n: g.patchSize, k: width,
                                    a: gathered, lda: width, b: columns, ldb: width, beta: 1,
                                    c: partialWeights.of(worker), ldc: g.patchSize)
                            }
                            guard let dx else { return }
                            // dcol [K, S*P] = Wᵀ [K, O] x G [O, S*P]
                            BLAS.sgemm(
                                transposeA: true, m: g.patchSize, n: width, k: g.outChannels,
                                a: w.baseAddress!, lda: g.patchSize, b: gathered, ldb: width, c: columns, ldc: width)
                            Im2col.col2im(
                                scratch: columns, geometry: g, samples: samples,
                                into: dx + first * g.inChannels * g.inPixels)
                        }
                    }
                }
            }
        }
        if gradInput == nil { run(nil) } else { gradInput!.withUnsafeMutableBufferPointer { run($0.baseAddress!) } }
        let gradWeight = input.map { _ in Tensor(shape: g.weightShape) { partialWeights.total(into: $0.baseAddress!) } }
        return (gradInput, gradWeight)
    }

    /// Calls `body` with the tensor's scalars, or with nil.
    static func withOptionalBuffer<R>(_ tensor: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let tensor else { return body(nil) }
        return tensor.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    /// Sums an NCHW tensor over N, H and W: [N, C, H, W] -> [C] (the bias gradient).
    package static func sumPerChannel(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4, "sumPerChannel needs [N, C, H, W], got \(x.shape).")
        let n = x.shape[0], c = x.shape[1], pixels = x.shape[2] * x.shape[3]
        return Tensor(shape: [c]) { out in
            x.withUnsafeBufferPointer { p in
                let task = UncheckedSendable((p.baseAddress!, out.baseAddress!))
                parallelFor(c, grain: max(1, 4096 / max(n * pixels, 1))) { channels in
                    let (p, out) = task.value
                    for channel in channels {
                        var total: Float = 0
                        for sample in 0..<n {
                            total += Reduction.sum(p + (sample * c + channel) * pixels, count: pixels)
                        }
                        out[channel] = total
                    }
                }
            }
        }
    }
}
