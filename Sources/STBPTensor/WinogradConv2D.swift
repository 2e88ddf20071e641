/// 3x3 convolution with stride 1 and padding 1 (the paper's `128C3`) by Winograd's minimal
/// filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks",
/// 2016): 16 multiplications per 2x2 output tile instead of 36, so the GEMMs do 2.25x less work
/// than im2col's.
///
/// Layouts and GEMMs as in `WinogradAlgorithm` with α = 4: the output is cut into
/// ceil(H/2) x ceil(W/2) tiles of 2x2, and d is a tile's 4x4 input patch (rows 2ty-1...2ty+2,
/// columns 2tx-1...2tx+2, zero outside the image).
///
/// V, M and Z keep the 16 transform values of one channel together ([channel, 16, tiles],
/// GEMM leading dimension 16 x tiles): each transform then reads or writes one compact block
/// per channel instead of 16 blocks a whole matrix apart.
///
///     Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]   G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]
///     Aᵀ = [1 1 1 0; 0 1 -1 -1]
///
/// Backward: dL/dx is the same convolution of dL/dy with the kernel flipped and transposed,
/// w'[c, o, i, j] = w[o, c, 2-i, 2-j]; dL/dw = Gᵀ (Σ_tiles (A dy Aᵀ) ⊙ (Bᵀ d B)) G, i.e. 16
/// GEMMs dU[ξ] = Z[ξ] · V[ξ]ᵀ with Z = A dy Aᵀ [O, 16, N·tiles], then dw = Gᵀ dU G
/// (`weightGradient`). Where `Winograd4x4Conv2D` applies, both run there instead.
/// The results equal direct convolution up to float rounding (tested against the naive loops).
package enum WinogradConv2D: WinogradAlgorithm {
    /// Whether conv2d of this geometry runs here: 3x3 kernel, stride 1, padding 1, and at least
    /// 64 input and output channels (below that the 16 GEMMs are too thin to pay for the
    /// transforms).
    package static func applies(to g: Conv2DGeometry) -> Bool {
        g.kernelHeight == 3 && g.kernelWidth == 3 && g.stride == 1 && g.padding == 1
            && g.inChannels >= 64 && g.outChannels >= 64
    }

    static let tileSize = 2

    /// y = conv2d(x, w) + b, stride 1, padding 1: [N, C, H, W], [O, C, 3, 3], [O] -> [N, O, H, W].
    package static func forward(input: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        convolution(input: input, weight: weight, bias: bias)
    }

    /// The [m, n, k] of one of the 16 GEMMs of a chunk.
    package static func forwardGEMMShape(_ g: Conv2DGeometry) -> [Int] { gemmShape(g) }

    /// Padded row length of the transform scratch: tiles are handled four at a time, and a
    /// group reads two floats past its last tile's patch.
    static func scratchLength(_ t: WinogradTiling) -> Int { 2 * ((t.columns + 3) / 4 * 4) + 4 }

    /// dL/dx (when `inputGradient`), dL/dw and dL/db of `forward`, given dL/dy [N, O, H, W].
    package static func backward(
        gradOutput: Tensor, input: Tensor, weight: Tensor, inputGradient: Bool = true
    ) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
        backward(
            gradOutput: gradOutput, input: input, weight: weight, inputGradient: inputGradient, samplesPerChunk: nil)
    }

    /// `backward` in chunks of `samplesPerChunk` samples (default `cachedChunkSize`).
    static func backward(
        gradOutput: Tensor, input: Tensor, weight: Tensor, inputGradient: Bool, samplesPerChunk: Int?
    ) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
        let gradWeight = layerWeightGradient(
            gradOutput: gradOutput, input: input, weight: weight, samplesPerChunk: samplesPerChunk)
        let gradInput =
            inputGradient
            ? layerInputGradient(gradOutput: gradOutput, weight: weight, samplesPerChunk: samplesPerChunk) : nil
        return (gradInput, gradWeight, Conv2DKernel.sumPerChannel(gradOutput))
    }

    /// dL/dw of `forward`, by F(4x4, 3x3) where it applies to the layer, else by F(2x2, 3x3).
    static func layerWeightGradient(
        gradOutput: Tensor, input: Tensor, weight: Tensor, samplesPerChunk: Int? = nil
    ) -> Tensor {
        let g = Conv2DGeometry(inputShape: input.shape, weightShape: weight.shape, stride: 1, padding: 1)
        precondition(
            gradOutput.shape == g.outputShape,
            "conv2d gradient must be \(g.outputShape) for input \(input.shape), got \(gradOutput.shape).")
        return Winograd4x4Conv2D.applies(to: g)
            ? Winograd4x4Conv2D.weightGradient(
                gradOutput: gradOutput, input: input, weight: weight, samplesPerChunk: samplesPerChunk)
            : weightGradient(gradOutput: gradOutput, input: input, weight: weight, samplesPerChunk: samplesPerChunk)
    }

    /// dL/dx of `forward`: a forward convolution of dL/dy [N, O, H, W] with the flipped,
    /// transposed weight, by F(4x4, 3x3) where it applies, else by F(2x2, 3x3).
    static func layerInputGradient(gradOutput: Tensor, weight: Tensor, samplesPerChunk: Int? = nil) -> Tensor {
        let g = Conv2DGeometry(
            inputShape: [gradOutput.shape[0], weight.shape[1], gradOutput.shape[2], gradOutput.shape[3]],
            weightShape: weight.shape, stride: 1, padding: 1)
        let flipped = flippedTransposed(weight)
        return Winograd4x4Conv2D.applies(to: g)
            ? Winograd4x4Conv2D.convolution(
                input: gradOutput, weight: flipped, bias: nil, samplesPerChunk: samplesPerChunk)
            : convolution(input: gradOutput, weight: flipped, bias: nil, samplesPerChunk: samplesPerChunk)
    }

    /// U = G g Gᵀ for every kernel: [O, C, 3, 3] -> [16, O, C], kernels split among the threads.
    static func transformedFilters(_ weight: Tensor) -> Tensor {
        let (o, c) = (weight.shape[0], weight.shape[1])
        return Tensor(shape: [16, o, c]) { u in
            weight.withUnsafeBufferPointer { w in
                let weights = w.baseAddress!
                scatterKernels(o * c, into: u.baseAddress!) { pair, column in
                    let k = weights + pair * 9
                    // h = G g (4x3); then each row [a, b, e] of h -> [a, ½(a+b+e), ½(a-b+e), e].
                    for row in 0..<4 {
                        var h = SIMD4<Float>.zero  // lanes: columns 0...2 of row `row` of G g
                        for j in 0..<3 {
                            let (g0, g1, g2) = (k[j], k[3 + j], k[6 + j])
                            switch row {
                            case 0: h[j] = g0
                            case 1: h[j] = 0.5 * (g0 + g1 + g2)
                            case 2: h[j] = 0.5 * (g0 - g1 + g2)
                            default: h[j] = g2
                            }
                        }
                        let (a, b, e) = (h[0], h[1], h[2])
                        column[(4 * row) * 16] = a
                        column[(4 * row + 1) * 16] = 0.5 * (a + b + e)
                        column[(4 * row + 2) * 16] = 0.5 * (a - b + e)
                        column[(4 * row + 3) * 16] = e
                    }
                }
            }
        }
    }

    /// dw = Gᵀ dU G for every kernel: [16, O, C] -> [O, C, 3, 3], kernels split among the threads.
    static func filterGradient(_ gradU: Tensor, outChannels o: Int, inChannels c: Int) -> Tensor {
        Tensor(shape: [o, c, 3, 3]) { dw in
            gradU.withUnsafeBufferPointer { du in
                let gradients = UncheckedSendable(dw.baseAddress!)
                gatherKernels(o * c, from: du.baseAddress!) { pair, column in
                    let dw = gradients.value
                    // f = Gᵀ dU (3x4): rows e0 + ½e1 + ½e2, ½e1 - ½e2, ½e1 + ½e2 + e3 (e: rows of dU).
                    var f0 = SIMD4<Float>.zero, f1 = SIMD4<Float>.zero, f2 = SIMD4<Float>.zero
                    for l in 0..<4 {
                        let e0 = column[l * 16], e1 = column[(4 + l) * 16]
                        let e2 = column[(8 + l) * 16], e3 = column[(12 + l) * 16]
                        f0[l] = e0 + 0.5 * e1 + 0.5 * e2
                        f1[l] = 0.5 * e1 - 0.5 * e2
                        f2[l] = 0.5 * e1 + 0.5 * e2 + e3
                    }
                    // dw = f G: each row [a, b, e, d] -> [a + ½b + ½e, ½b - ½e, ½b + ½e + d].
                    @inline(__always) func write(_ f: SIMD4<Float>, row: Int) {
                        let (a, b, e, d) = (f[0], f[1], f[2], f[3])
                        dw[pair * 9 + 3 * row] = a + 0.5 * b + 0.5 * e
                        dw[pair * 9 + 3 * row + 1] = 0.5 * b - 0.5 * e
                        dw[pair * 9 + 3 * row + 2] = 0.5 * b + 0.5 * e + d
                    }
                    write(f0, row: 0)
                    write(f1, row: 1)
                    write(f2, row: 2)
                }
            }
        }
    }

    /// w'[c, o, i, j] = w[o, c, 2-i, 2-j]: the kernel of dL/dx as a forward convolution of dL/dy.
    static func flippedTransposed(_ weight: Tensor) -> Tensor {
        let (o, c) = (weight.shape[0], weight.shape[1])
        return Tensor(shape: [c, o, 3, 3]) { out in
            weight.withUnsafeBufferPointer { w in
                for oc in 0..<o {
                    for ic in 0..<c {
                        for tap in 0..<9 { out[(ic * o + oc) * 9 + tap] = w[(oc * c + ic) * 9 + 8 - tap] }
                    }
                }
            }
        }
    }

    /// V[c, ξ, s·tiles + t] = (Bᵀ d B)[ξ] for the 4x4 patch d of tile t of plane (s, c) of
    /// x [samples, channels, H, W]. Each plane is first copied into a zero-bordered scratch
    /// plane (row r + 1, column q = col + 1), so every patch is in bounds; then four tiles at a
    /// time: the rows of Bᵀ d on 8-float vectors, the columns from their even and odd lanes.
    static func transformInput(
        _ x: UnsafePointer<Float>, channels: Int, samples: Int, _ t: WinogradTiling, into v: UnsafeMutablePointer<Float>
    ) {
        let n = samples * t.tiles
        forEachTileRow(x, channels: channels, samples: samples, t, border: 1, into: v) { ty, rows, step, column in
            // Row j of the patches of tiles tx...tx+3 is columns 2tx...2tx+9 of padded row
            // j, as two 8-float vectors (from 2tx and from 2tx+2).
            @inline(__always) func left(_ j: Int, _ tx: Int) -> SIMD8<Float> {
                rows.loadUnaligned(fromByteOffset: j * step + 8 * tx, as: SIMD8<Float>.self)
            }
            @inline(__always) func right(_ j: Int, _ tx: Int) -> SIMD8<Float> {
                rows.loadUnaligned(fromByteOffset: j * step + 8 * tx + 8, as: SIMD8<Float>.self)
            }
            // Row k of Bᵀ d is d_i + sign · d_j (d0 - d2, d1 + d2, d2 - d1, d1 - d3); one
            // pass over the tile row per k keeps few vectors live (no register spills).
            @inline(__always) func pass(_ k: Int, _ i: Int, _ j: Int, _ sign: Float) {
                let target = column + 4 * k * n
                @inline(__always) func group(_ tx: Int, _ count: Int) {
                    let l = left(i, tx) + sign * left(j, tx), r = right(i, tx) + sign * right(j, tx)
                    // Per tile a, b, c, e = columns 2tx...2tx+3: [a - c, b + c, c - b, b - e].
                    let (a, b, cc, e) = (l.evenHalf, l.oddHalf, r.evenHalf, r.oddHalf)
                    store((a - cc, b + cc, cc - b, b - e), target + tx, stride: n, count: count)
                }
                t.forEachGroupOfFour(inRow: ty, group)
            }
            pass(0, 0, 2, -1)
            pass(1, 1, 2, 1)
            pass(2, 2, 1, -1)
            pass(3, 1, 3, -1)
        }
    }

    /// Z[o, ξ, s·tiles + t] = (A dy Aᵀ)[ξ] for the 2x2 tile t of plane (s, o) of
    /// dy [samples, channels, H, W] (zero outside the map). A = [1 0; 1 1; 1 -1; 0 -1]. Each
    /// plane is first copied into a scratch plane with zeros past its bottom and right edges.
    static func transformGradient(
        _ dy: UnsafePointer<Float>, channels: Int, samples: Int, _ t: WinogradTiling,
        into z: UnsafeMutablePointer<Float>
    ) {
        let n = samples * t.tiles
        forEachTileRow(dy, channels: channels, samples: samples, t, border: 0, into: z) { ty, rows, step, column in
            @inline(__always) func group(_ tx: Int, _ count: Int) {
                let d0 = rows.loadUnaligned(fromByteOffset: 8 * tx, as: SIMD8<Float>.self)
                let d1 = rows.loadUnaligned(fromByteOffset: step + 8 * tx, as: SIMD8<Float>.self)
                // A dy rows: d0, d0 + d1, d0 - d1, -d1; then per tile f, h = columns
                // 2tx, 2tx+1: [f, f + h, f - h, -h].
                @inline(__always) func columns(_ k: Int, _ u: SIMD8<Float>) {
                    let (f, h) = (u.evenHalf, u.oddHalf)
                    store((f, f + h, f - h, -h), column + tx + 4 * k * n, stride: n, count: count)
                }
                columns(0, d0)
                columns(1, d0 + d1)
                columns(2, d0 - d1)
                columns(3, -d1)
            }
            t.forEachGroupOfFour(inRow: ty, group)
        }
    }

    /// y[s, o, 2ty + a, 2tx + b] = (Aᵀ m A)[a, b] + bias[o] with m[ξ] = M[o, ξ, s·tiles + t],
    /// four tiles at a time; outputs past the map's edge are dropped.
    static func transformOutput(
        _ m: UnsafePointer<Float>, channels: Int, samples: Int, _ t: WinogradTiling, bias: UnsafePointer<Float>?,
        into y: UnsafeMutablePointer<Float>
    ) {
        let n = samples * t.tiles, stride = n
        let task = UncheckedSendable((m, y, bias))
        parallelFor(samples * channels, grain: 2) { planes in
            let (m, y, bias) = task.value
            for plane in planes {
                let s = plane / channels, o = plane % channels
                let target = y + plane * t.height * t.width
                let shift = SIMD4<Float>(repeating: bias?[o] ?? 0)
                for ty in 0..<t.rows {
                    let column = m + o * 16 * n + s * t.tiles + ty * t.columns
                    for tx in Swift.stride(from: 0, to: t.columns, by: 4) {
                        // The last group of a tile row may be partial: its other lanes read the
                        // next tiles (or M's padding at the very end), and their outputs are
                        // not written.
                        let count = min(4, t.columns - tx)
                        let outputs = outputTiles(column + tx, stride: stride, shift: shift)
                        writeRow(outputs.top, target + 2 * ty * t.width, tx: tx, count: count, width: t.width)
                        if 2 * ty + 1 < t.height {
                            writeRow(
                                outputs.bottom, target + (2 * ty + 1) * t.width, tx: tx, count: count, width: t.width)
                        }
                    }
                }
            }
        }
    }

    /// The left and right outputs of four tiles in one output row.
    typealias Pair = (SIMD4<Float>, SIMD4<Float>)

    /// Aᵀ m A + shift for four tiles, m[ξ] at m + ξ · stride (four consecutive tiles each):
    /// p = rows 0 + 1 + 2 and q = rows 1 - 2 - 3 of m, then the same on the columns of p and q.
    @inline(__always)
    static func outputTiles(
        _ m: UnsafePointer<Float>, stride: Int, shift: SIMD4<Float>
    ) -> (top: Pair, bottom: Pair) {
        let raw = UnsafeRawPointer(m), step = stride * MemoryLayout<Float>.stride
        @inline(__always) func v(_ xi: Int) -> SIMD4<Float> {
            raw.loadUnaligned(fromByteOffset: xi * step, as: SIMD4<Float>.self)
        }
        let (m0, m1, m2, m3) = (v(0), v(1), v(2), v(3))
        let (m4, m5, m6, m7) = (v(4), v(5), v(6), v(7))
        let (m8, m9, m10, m11) = (v(8), v(9), v(10), v(11))
        let (m12, m13, m14, m15) = (v(12), v(13), v(14), v(15))
        let (p0, p1, p2, p3) = (m0 + m4 + m8, m1 + m5 + m9, m2 + m6 + m10, m3 + m7 + m11)
        let (q0, q1, q2, q3) = (m4 - m8 - m12, m5 - m9 - m13, m6 - m10 - m14, m7 - m11 - m15)
        return (
            (p0 + p1 + p2 + shift, p1 - p2 - p3 + shift),
            (q0 + q1 + q2 + shift, q1 - q2 - q3 + shift)
        )
    }

    /// Writes the outputs of four tiles to one map row: [l0, r0, l1, r1, ...] from column 2tx,
    /// as far as the row goes.
    @inline(__always)
    static func writeRow(
        _ values: (SIMD4<Float>, SIMD4<Float>), _ row: UnsafeMutablePointer<Float>, tx: Int, count: Int, width: Int
    ) {
        let (l, r) = values
        if count == 4 && 2 * tx + 8 <= width {
            let pairs = SIMD8<Float>(l[0], r[0], l[1], r[1], l[2], r[2], l[3], r[3])
            UnsafeMutableRawPointer(row + 2 * tx).storeBytes(of: pairs, as: SIMD8<Float>.self)
            return
        }
        for lane in 0..<count {
            row[2 * (tx + lane)] = l[lane]
            if 2 * (tx + lane) + 1 < width { row[2 * (tx + lane) + 1] = r[lane] }
        }
    }

    /// Stores four transform values of four tiles, value j at target + j · stride, as far as
    /// `count` tiles go.
    @inline(__always)
    static func store(
        _ values: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>), _ target: UnsafeMutablePointer<Float>,
        stride: Int, count: Int
    ) {
        let raw = UnsafeMutableRawPointer(target), step = stride * MemoryLayout<Float>.stride
        if count == 4 {
            raw.storeBytes(of: values.0, as: SIMD4<Float>.self)
            raw.storeBytes(of: values.1, toByteOffset: step, as: SIMD4<Float>.self)
            raw.storeBytes(of: values.2, toByteOffset: 2 * step, as: SIMD4<Float>.self)
            raw.storeBytes(of: values.3, toByteOffset: 3 * step, as: SIMD4<Float>.self)
            return
        }
        for lane in 0..<count {
            target[lane] = values.0[lane]
            target[stride + lane] = values.1[lane]
            target[2 * stride + lane] = values.2[lane]
            target[3 * stride + lane] = values.3[lane]
        }
    }
}
