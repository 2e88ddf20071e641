/// What the Winograd kernels F(m x m, 3x3) share: tiling, chunking and the forward pass
/// y = Aᵀ [U ⊙ V] A with α = m + 2 and ξ = α * row + column of the α x α transform:
///
///     U = G g Gᵀ                [α², O, C]
///     V = Bᵀ d B                [C, α², N·tiles]   (d: the tile's α x α input patch)
///     M[ξ] = U[ξ] · V[ξ]        α² GEMMs, [O, C] x [C, N·tiles], into M [O, α², N·tiles]
///     y = Aᵀ M A                m x m outputs per tile, + bias
///
/// and the weight gradient dL/dw = Gᵀ dU G with dU[ξ] = Σ_chunks Z[ξ] · V[ξ]ᵀ, Z = A dy Aᵀ
/// [O, α², N·tiles] (`weightGradient`).
///
/// A conforming kernel gives m and its three transforms; `WinogradConv2D` (F(2x2, 3x3)) and
/// `Winograd4x4Conv2D` (F(4x4, 3x3)) conform.
protocol WinogradAlgorithm {
    /// m, the side of an output tile.
    static var tileSize: Int { get }
    /// Floats per row of the scratch plane the input and gradient transforms read patches from.
    static func scratchLength(_ t: WinogradTiling) -> Int
    /// U = G g Gᵀ for every kernel: [O, C, 3, 3] -> [α², O, C].
    static func transformedFilters(_ weight: Tensor) -> Tensor
    /// V[c, ξ, s·tiles + t] for the patches of x [samples, channels, H, W].
    static func transformInput(
        _ x: UnsafePointer<Float>, channels: Int, samples: Int, _ t: WinogradTiling, into v: UnsafeMutablePointer<Float>
    )
    /// Z[o, ξ, s·tiles + t] = (A dy Aᵀ)[ξ] for the m x m tiles of dy [samples, channels, H, W].
    static func transformGradient(
        _ dy: UnsafePointer<Float>, channels: Int, samples: Int, _ t: WinogradTiling,
        into z: UnsafeMutablePointer<Float>)
    /// dw = Gᵀ dU G for every kernel: [α², O, C] -> [O, C, 3, 3].
    static func filterGradient(_ gradU: Tensor, outChannels o: Int, inChannels c: Int) -> Tensor
    /// y[s, o] = Aᵀ m A + bias[o] with m[ξ] = M[o, ξ, s·tiles + t]; outputs past the map dropped.
    static func transformOutput(
        _ m: UnsafePointer<Float>, channels: Int, samples: Int, _ t: WinogradTiling, bias: UnsafePointer<Float>?,
        into y: UnsafeMutablePointer<Float>)
}

/// The output tiles of one map: rows x columns tiles of m x m over H x W (partial at the
/// bottom and right edges); tile t = ty * columns + tx of sample s is GEMM column s * tiles + t.
struct WinogradTiling {
    let height: Int, width: Int, rows: Int, columns: Int
    /// Tiles per map.
    var tiles: Int { rows * columns }

    init(_ g: Conv2DGeometry, tileSize m: Int) {
        height = g.height
        width = g.width
        rows = (g.height + m - 1) / m
        columns = (g.width + m - 1) / m
    }

    /// Runs `group(tx, count)` over tile row `ty` four tiles at a time, for the transforms that
    /// write V or Z: a group stores all four lanes (count 4) as long as they stay inside the
    /// map, so the last group of a row may spill onto the first tiles of the next row, which
    /// are written after it; only the map's last group has count < 4.
    @inline(__always)
    func forEachGroupOfFour(inRow ty: Int, _ group: (_ tx: Int, _ count: Int) -> Void) {
        var tx = 0
        while tx < columns && ty * columns + tx + 4 <= tiles {
            group(tx, 4)
            tx += 4
        }
        if tx < columns { group(tx, columns - tx) }
    }
}

extension WinogradAlgorithm {
    /// α², the number of transform values (and of GEMMs).
    static var transformValues: Int { (tileSize + 2) * (tileSize + 2) }

    /// The largest transformed buffer a chunk of samples may use, in scalars.
    static var budget: Int { 8 << 20 }

    /// The transformed input a chunk aims at, in scalars (4 MB: about what the cores' 2 MB
    /// caches hold of it and its product while the GEMMs read them).
    static var cachedBudget: Int { 1 << 20 }

    /// The fewest tiles a chunk aims at, so that each chunk's GEMMs still do enough work for
    /// each float of U (α² x O x C) or dU they read.
    static var minimumColumns: Int { 256 }

    static func tiling(_ g: Conv2DGeometry) -> WinogradTiling { WinogradTiling(g, tileSize: tileSize) }

    /// Samples per chunk: the transformed input and product of a chunk stay within `budget`.
    static func chunkSize(_ g: Conv2DGeometry, _ t: WinogradTiling) -> Int {
        max(1, min(g.batch, budget / max(transformValues * max(g.inChannels, g.outChannels) * t.tiles, 1)))
    }

    /// Samples per chunk of the forward pass and of the weight gradient: its transformed input
    /// within `cachedBudget`, so that the GEMMs read V and M in cache rather than memory, but
    /// at least `minimumColumns` tiles, and within `chunkSize`. Chunks go to the threads whole
    /// (`forEachChunk`).
    static func cachedChunkSize(_ g: Conv2DGeometry, _ t: WinogradTiling) -> Int {
        let cached = cachedBudget / max(transformValues * max(g.inChannels, g.outChannels) * t.tiles, 1)
        let wide = (minimumColumns + t.tiles - 1) / max(t.tiles, 1)
        return max(1, min(chunkSize(g, t), max(cached, wide)))
    }

    /// Samples per chunk (`samplesPerChunk`, or `cachedChunkSize`), chunks, and the threads
    /// that take them (`forEachChunk`).
    static func chunking(
        _ g: Conv2DGeometry, _ t: WinogradTiling, samplesPerChunk: Int?
    ) -> (samples: Int, chunks: Int, workers: Int) {
        let samples = max(1, min(g.batch, samplesPerChunk ?? cachedChunkSize(g, t)))
        let chunks = (g.batch + samples - 1) / samples
        return (samples, chunks, chunkWorkers(chunks))
    }

    /// The [m, n, k] of one of the α² GEMMs of a forward chunk.
    static func gemmShape(_ g: Conv2DGeometry) -> [Int] {
        let t = tiling(g)
        return [g.outChannels, cachedChunkSize(g, t) * t.tiles, g.inChannels]
    }

    /// Runs `body(ty, rows, step, column)` for every tile row of every plane (s, c) of
    /// x [samples, channels, H, W] on the threads, for the transforms into V or Z
    /// ([channel, α², N·tiles], N·tiles = samples · tiles). Each plane is first copied into a
    /// zeroed scratch plane of `scratchLength` floats a row at row and column `border` (1: the
    /// zero border of the input patches; 0: zeros only past the bottom and right edges, for
    /// dL/dy), so that every tile's patch is in bounds. `rows` is the scratch row where tile row
    /// ty's patches start (rows `step` bytes apart), `column` the tile row's first tile in
    /// out's row (c, ξ = 0).
    @inline(__always)
    static func forEachTileRow(
        _ x: UnsafePointer<Float>, channels: Int, samples: Int, _ t: WinogradTiling, border: Int,
        into out: UnsafeMutablePointer<Float>,
        _ body: (_ ty: Int, _ rows: UnsafeRawPointer, _ step: Int, _ column: UnsafeMutablePointer<Float>) -> Void
    ) {
        let (n, length, height) = (samples * t.tiles, scratchLength(t), tileSize * t.rows + 2 * border)
        let task = UncheckedSendable((x, out))
        parallelFor(samples * channels, grain: 2) { planes in
            let (x, out) = task.value
            let padded = UnsafeMutablePointer<Float>.allocate(capacity: height * length)
            defer { padded.deallocate() }
            padded.initialize(repeating: 0, count: height * length)
            for plane in planes {
                let (s, c) = (plane / channels, plane % channels)
                let source = x + plane * t.height * t.width
                for row in 0..<t.height {
                    (padded + (row + border) * length + border).update(from: source + row * t.width, count: t.width)
                }
                for ty in 0..<t.rows {
                    body(
                        ty, UnsafeRawPointer(padded + tileSize * ty * length), length * MemoryLayout<Float>.stride,
                        out + c * transformValues * n + s * t.tiles + ty * t.columns)
                }
            }
        }
    }

    /// Fills U [α², O·C] kernel by kernel on the threads: `transform(pair, column)` writes the
    /// α² values of kernel `pair` at column[ξ · 16]. Kernels go 16 at a time through a block,
    /// so each row of U (O·C floats from the next) gets 16 floats at once: one float at a time
    /// into α² rows that far apart made the transform several times slower.
    static func scatterKernels(
        _ pairs: Int, into u: UnsafeMutablePointer<Float>,
        _ transform: (_ pair: Int, _ column: UnsafeMutablePointer<Float>) -> Void
    ) {
        let task = UncheckedSendable(u)
        forEachKernelBlock(pairs) { first, count, block in
            for lane in 0..<count { transform(first + lane, block + lane) }
            for xi in 0..<transformValues {
                (task.value + xi * pairs + first).update(from: block + xi * 16, count: count)
            }
        }
    }

    /// The reverse of `scatterKernels`: reads dU [α², O·C] 16 kernels at a time into a block,
    /// and `transform(pair, column)` reads kernel `pair`'s α² values at column[ξ · 16].
    static func gatherKernels(
        _ pairs: Int, from du: UnsafePointer<Float>,
        _ transform: (_ pair: Int, _ column: UnsafePointer<Float>) -> Void
    ) {
        let task = UncheckedSendable(du)
        forEachKernelBlock(pairs) { first, count, block in
            for xi in 0..<transformValues {
                (block + xi * 16).update(from: task.value + xi * pairs + first, count: count)
            }
            for lane in 0..<count { transform(first + lane, block + lane) }
        }
    }

    /// Runs `body(first, count, block)` for kernels first..<first + count, 16 at a time, on
    /// the threads, each with a block of α² x 16 floats.
    static func forEachKernelBlock(
        _ pairs: Int, _ body: (_ first: Int, _ count: Int, _ block: UnsafeMutablePointer<Float>) -> Void
    ) {
        parallelFor((pairs + 15) / 16, grain: 64) { blocks in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: transformValues * 16) { block in
                for first in blocks.lazy.map({ 16 * $0 }) { body(first, min(16, pairs - first), block.baseAddress!) }
            }
        }
    }

    /// y = conv2d(x, w) + b, stride 1, padding 1: [N, C, H, W], [O, C, 3, 3], [O] -> [N, O, H, W],
    /// in chunks of `samplesPerChunk` samples (default `cachedChunkSize`).
    static func convolution(input: Tensor, weight: Tensor, bias: Tensor?, samplesPerChunk: Int? = nil) -> Tensor {
        let g = Conv2DGeometry(inputShape: input.shape, weightShape: weight.shape, stride: 1, padding: 1)
        precondition(
            g.kernelHeight == 3 && g.kernelWidth == 3,
            "Winograd F(\(tileSize)x\(tileSize), 3x3) needs a 3x3 kernel, got \(weight.shape).")
        if let bias {
            precondition(bias.shape == [g.outChannels], "conv2d bias must be [\(g.outChannels)], got \(bias.shape).")
        }
        let u = transformedFilters(weight)
        return Tensor(shape: g.outputShape) { out in
            input.withUnsafeBufferPointer { x in
                u.withUnsafeBufferPointer { u in
                    if let bias {
                        bias.withUnsafeBufferPointer {
                            convolve(
                                x.baseAddress!, g, u.baseAddress!, bias: $0.baseAddress!,
                                samplesPerChunk: samplesPerChunk,
                                into: out.baseAddress!)
                        }
                    } else {
                        convolve(
                            x.baseAddress!, g, u.baseAddress!, bias: nil, samplesPerChunk: samplesPerChunk,
                            into: out.baseAddress!)
                    }
                }
            }
        }
    }

    /// y [S, O, H, W] = conv(x [S, C, H, W]) + bias, chunk by chunk, with U = `transformedFilters`:
    /// each chunk transforms its input, runs the α² GEMMs and transforms their product on one
    /// thread, with its own V and M.
    static func convolve(
        _ x: UnsafePointer<Float>, _ g: Conv2DGeometry, _ u: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        samplesPerChunk: Int?, into y: UnsafeMutablePointer<Float>
    ) {
        let (o, c, values) = (g.outChannels, g.inChannels, transformValues)
        let t = tiling(g)
        let (samples, chunks, workers) = chunking(g, t, samplesPerChunk: samplesPerChunk)
        // M has room for an output transform that reads a few lanes past its last tile.
        let (vSize, mSize) = (values * c * samples * t.tiles, values * o * samples * t.tiles + 16)
        let (vBuffer, mBuffer) = (ScratchBuffer(workers * vSize), ScratchBuffer(workers * mSize))
        defer {
            vBuffer.release()
            mBuffer.release()
        }
        let task = UncheckedSendable((x, u, bias, y, vBuffer.pointer, mBuffer.pointer))
        forEachChunk(workers: workers, chunks) { worker, chunk in
            let (x, u, bias, y, vScratch, mScratch) = task.value
            let (v, m) = (vScratch + worker * vSize, mScratch + worker * mSize)
            let first = chunk * samples
            let count = min(samples, g.batch - first)
            let n = count * t.tiles
            transformInput(x + first * c * g.inPixels, channels: c, samples: count, t, into: v)
            for xi in 0..<values {
                BLAS.sgemm(
                    m: o, n: n, k: c, a: u + xi * o * c, lda: c, b: v + xi * n, ldb: values * n, c: m + xi * n,
                    ldc: values * n)
            }
            transformOutput(m, channels: o, samples: count, t, bias: bias, into: y + first * o * g.outPixels)
        }
    }

    /// dL/dw of conv2d (stride 1, padding 1) given dL/dy [N, O, H, W], the input [N, C, H, W]
    /// and the weight [O, C, 3, 3], in chunks of `samplesPerChunk` samples (default
    /// `cachedChunkSize`): each thread transforms its chunks' x and dL/dy and sums
    /// dU[ξ] = Z[ξ] · V[ξ]ᵀ into its own dU; the sums are added in worker order.
    static func weightGradient(gradOutput: Tensor, input: Tensor, weight: Tensor, samplesPerChunk: Int?) -> Tensor {
        let g = Conv2DGeometry(inputShape: input.shape, weightShape: weight.shape, stride: 1, padding: 1)
        let (o, c, values) = (g.outChannels, g.inChannels, transformValues)
        let tiling = Self.tiling(g)
        let (samples, chunks, workers) = chunking(g, tiling, samplesPerChunk: samplesPerChunk)
        let width = samples * tiling.tiles
        let (vSize, zSize) = (values * c * width, values * o * width)
        let (vBuffer, zBuffer) = (ScratchBuffer(workers * vSize), ScratchBuffer(workers * zSize))
        let partialU = WorkerSums(workers: workers, size: values * o * c)
        defer {
            vBuffer.release()
            zBuffer.release()
            partialU.release()
        }
        input.withUnsafeBufferPointer { x in
            gradOutput.withUnsafeBufferPointer { dy in
                let task = UncheckedSendable(
                    (x.baseAddress!, dy.baseAddress!, vBuffer.pointer, zBuffer.pointer, partialU))
                forEachChunk(workers: workers, chunks) { worker, chunk in
                    let (x, dy, vScratch, zScratch, partialU) = task.value
                    let (v, z, sum) = (vScratch + worker * vSize, zScratch + worker * zSize, partialU.of(worker))
                    let first = chunk * samples
                    let count = min(samples, g.batch - first)
                    let n = count * tiling.tiles
                    transformInput(x + first * c * g.inPixels, channels: c, samples: count, tiling, into: v)
                    transformGradient(dy + first * o * g.outPixels, channels: o, samples: count, tiling, into: z)
                    for xi in 0..<values {
                        BLAS.sgemm(
                            transposeB: true, m: o, n: c, k: n, a: z + xi * n, lda: values * n, b: v + xi * n,
                            ldb: values * n, beta: 1, c: sum + xi * o * c, ldc: c)
                    }
                }
            }
        }
        let gradU = Tensor(shape: [values, o, c]) { partialU.total(into: $0.baseAddress!) }
        return filterGradient(gradU, outChannels: o, inChannels: c)
    }
}
