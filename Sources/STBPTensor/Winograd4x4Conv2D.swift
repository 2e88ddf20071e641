import CSTBPKernels

/// 3x3 convolution with stride 1 and padding 1 by Winograd's F(4x4, 3x3) (Lavin and Gray,
/// 2016, interpolation points 0, ±1, ±2, ∞): 36 multiplications per 4x4 output tile instead
/// of 144, against 64 for four F(2x2, 3x3) tiles, and a transformed input 2.25 times the input
/// instead of 4 times. Used for the forward pass, dL/dx and dL/dw where it `applies`;
/// `WinogradConv2D` (F(2x2, 3x3)) for the others.
///
/// Layouts and GEMMs as in `WinogradAlgorithm` with α = 6: the output is cut into
/// ceil(H/4) x ceil(W/4) tiles of 4x4, and d is a tile's 6x6 input patch (rows 4ty-1...4ty+4,
/// columns 4tx-1...4tx+4, zero outside the image). The matrices:
///
///     Bᵀ = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
///     G  = [¼ 0 0; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙; 1/24 -1/12 ⅙; 0 0 1]
///     Aᵀ = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
///
/// In float32 the result differs from the direct convolution by a few 1e-6 of its largest
/// value (F(2x2, 3x3): about 1e-7); tested against the naive loops.
package enum Winograd4x4Conv2D: WinogradAlgorithm {
    /// Whether conv2d of this geometry (forward, dL/dx and dL/dw) runs here rather than in
    /// F(2x2, 3x3): where that applies and this algorithm's GEMMs do at most 70% of F(2x2,
    /// 3x3)'s work (`gemmWorkRatio`; 56% when no tile is partial). Partial tiles waste GEMM
    /// work and slow the transforms; nmnist's 34x34 (63%) and 17x17 (69%) maps still gain:
    /// evaluation 4-8% and another 5-9% (Docs/Performance.md), cifar10's 32x32, 16x16 and 8x8
    /// maps 20-28%.
    package static func applies(to g: Conv2DGeometry) -> Bool {
        WinogradConv2D.applies(to: g) && gemmWorkRatio(g) <= 0.70
    }

    /// Multiply-accumulates of F(4x4, 3x3)'s GEMMs over F(2x2, 3x3)'s for one map:
    /// 36 · ⌈H/4⌉ · ⌈W/4⌉ / (16 · ⌈H/2⌉ · ⌈W/2⌉).
    static func gemmWorkRatio(_ g: Conv2DGeometry) -> Double {
        let large = 36 * ((g.height + 3) / 4) * ((g.width + 3) / 4)
        let small = 16 * ((g.height + 1) / 2) * ((g.width + 1) / 2)
        return Double(large) / Double(max(small, 1))
    }

    static let tileSize = 4

    /// y = conv2d(x, w) + b, stride 1, padding 1: [N, C, H, W], [O, C, 3, 3], [O] -> [N, O, H, W].
    package static func forward(input: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        convolution(input: input, weight: weight, bias: bias)
    }

    /// The [m, n, k] of one of the 36 GEMMs of a chunk.
    package static func forwardGEMMShape(_ g: Conv2DGeometry) -> [Int] { gemmShape(g) }

    /// Padded row length of the input scratch: tiles go four at a time, and a group reads 20
    /// floats from its first tile's patch.
    static func scratchLength(_ t: WinogradTiling) -> Int { 16 * ((t.columns + 3) / 4) + 8 }

    /// U = G g Gᵀ for every kernel: [O, C, 3, 3] -> [36, O, C], kernels split among the threads.
    static func transformedFilters(_ weight: Tensor) -> Tensor {
        let (o, c) = (weight.shape[0], weight.shape[1])
        // G e for one column e = (a, b, c) of 3 values, in double so that U is rounded once;
        // by multiplications (a division by 6 would cost as much as the rest).
        let (quarter, sixth, twelfth, twentyFourth) = (0.25, 1.0 / 6, 1.0 / 12, 1.0 / 24)
        @inline(__always) func gTimes(_ a: Double, _ b: Double, _ c: Double, into r: UnsafeMutablePointer<Double>) {
            (r[0], r[1], r[2]) = (a * quarter, -(a + b + c) * sixth, -(a - b + c) * sixth)
            let (even, odd) = (a * twentyFourth + c * sixth, b * twelfth)
            (r[3], r[4], r[5]) = (even + odd, even - odd, c)
        }
        return Tensor(shape: [36, o, c]) { u in
            weight.withUnsafeBufferPointer { w in
                let weights = w.baseAddress!
                scatterKernels(o * c, into: u.baseAddress!) { pair, column in
                    withUnsafeTemporaryAllocation(of: Double.self, capacity: 18 + 6) { buffer in
                        let h = buffer.baseAddress!  // G g [3 columns][6], then a row of U
                        let k = weights + pair * 9
                        for j in 0..<3 { gTimes(Double(k[j]), Double(k[3 + j]), Double(k[6 + j]), into: h + 6 * j) }
                        // Row `row` of (G g) Gᵀ is G times row `row` of G g.
                        for row in 0..<6 {
                            gTimes(h[row], h[6 + row], h[12 + row], into: h + 18)
                            for l in 0..<6 { column[(6 * row + l) * 16] = Float(h[18 + l]) }
                        }
                    }
                }
            }
        }
    }

    /// (Bᵀ e) for six values (or vectors of values) e0...e5.
    @inline(__always)
    static func inputRows<V: SIMD>(
        _ e0: V, _ e1: V, _ e2: V, _ e3: V, _ e4: V, _ e5: V
    ) -> (V, V, V, V, V, V) where V.Scalar == Float {
        let a = e4 - 4 * e2, b = e3 - 4 * e1, c = e4 - e2, d = 2 * (e3 - e1)
        return (4 * e0 - 5 * e2 + e4, a + b, a - b, c + d, c - d, 4 * e1 - 5 * e3 + e5)
    }

    /// Row k of Bᵀ e for six vectors e(0)...e(5), loading only those row k uses.
    @inline(__always)
    static func inputRow<V: SIMD>(_ k: Int, _ e: (Int) -> V) -> V where V.Scalar == Float {
        switch k {
        case 0: return 4 * e(0) - 5 * e(2) + e(4)
        case 1: return (e(4) - 4 * e(2)) + (e(3) - 4 * e(1))
        case 2: return (e(4) - 4 * e(2)) - (e(3) - 4 * e(1))
        case 3: return (e(4) - e(2)) + 2 * (e(3) - e(1))
        case 4: return (e(4) - e(2)) - 2 * (e(3) - e(1))
        default: return 4 * e(1) - 5 * e(3) + e(5)
        }
    }

    /// V[c, ξ, s·tiles + t] = (Bᵀ d B)[ξ] for the 6x6 patch d of tile t of plane (s, c) of
    /// x [samples, channels, H, W]. Each plane is first copied into a zero-bordered scratch
    /// plane (row r + 1, column q + 1), so every patch is in bounds; then four tiles at a time:
    /// the rows of Bᵀ d on 16-float vectors (columns 4tx... and 4tx+4...), the columns from
    /// lanes 0, 4, 8, 12 (+ j) of those.
    static func transformInput(
        _ x: UnsafePointer<Float>, channels: Int, samples: Int, _ t: WinogradTiling, into v: UnsafeMutablePointer<Float>
    ) {
        let n = samples * t.tiles
        forEachTileRow(x, channels: channels, samples: samples, t, border: 1, into: v) { ty, rows, step, column in
            // Row k of Bᵀ d for the patches of tiles tx...tx+3, columns 4tx + (0...15)
            // (shift 0) or 4tx + (4...19) (shift 4).
            @inline(__always) func rowOfBd(_ k: Int, _ tx: Int, shift: Int) -> SIMD16<Float> {
                @inline(__always) func p(_ j: Int) -> SIMD16<Float> {
                    rows.loadUnaligned(fromByteOffset: j * step + 4 * (4 * tx + shift), as: SIMD16<Float>.self)
                }
                return inputRow(k, p)
            }
            @inline(__always) func group(_ tx: Int, _ count: Int) {
                for k in 0..<6 {
                    // Columns j of the patches are lanes 4·tile + j: 0...3 from the
                    // unshifted vector, 4 and 5 from the shifted one.
                    let w = rowOfBd(k, tx, shift: 0), shifted = rowOfBd(k, tx, shift: 4)
                    let out = inputRows(
                        w.evenHalf.evenHalf, w.oddHalf.evenHalf, w.evenHalf.oddHalf, w.oddHalf.oddHalf,
                        shifted.evenHalf.evenHalf, shifted.oddHalf.evenHalf)
                    store(out, column + 6 * k * n + tx, stride: n, count: count)
                }
            }
            t.forEachGroupOfFour(inRow: ty, group)
        }
    }

    /// Z[o, ξ, s·tiles + t] = (A dy Aᵀ)[ξ] for the 4x4 tile t of plane (s, o) of
    /// dy [samples, channels, H, W] (zero outside the map), A = Aᵀᵀ (6x4). Each plane is first
    /// copied into a scratch plane with zeros past its bottom and right edges; then four tiles
    /// at a time: the rows of A dy on 16-float vectors, the columns from lanes 0, 4, 8, 12 (+ j).
    static func transformGradient(
        _ dy: UnsafePointer<Float>, channels: Int, samples: Int, _ t: WinogradTiling,
        into z: UnsafeMutablePointer<Float>
    ) {
        let n = samples * t.tiles
        forEachTileRow(dy, channels: channels, samples: samples, t, border: 0, into: z) { ty, rows, step, column in
            @inline(__always) func group(_ tx: Int, _ count: Int) {
                @inline(__always) func e(_ i: Int) -> SIMD16<Float> {
                    rows.loadUnaligned(fromByteOffset: i * step + 16 * tx, as: SIMD16<Float>.self)
                }
                // Row k of A dy; column j of the four tiles is lanes 4 · tile + j.
                @inline(__always) func columns(_ k: Int, _ w: SIMD16<Float>) {
                    let out = gradientRows(
                        w.evenHalf.evenHalf, w.oddHalf.evenHalf, w.evenHalf.oddHalf, w.oddHalf.oddHalf)
                    store(out, column + 6 * k * n + tx, stride: n, count: count)
                }
                let r = gradientRows(e(0), e(1), e(2), e(3))
                columns(0, r.0)
                columns(1, r.1)
                columns(2, r.2)
                columns(3, r.3)
                columns(4, r.4)
                columns(5, r.5)
            }
            t.forEachGroupOfFour(inRow: ty, group)
        }
    }

    /// A e for four values (or vectors of values) e0...e3: the rows (columns of Aᵀ)
    /// [1 0 0 0], [1 1 1 1], [1 -1 1 -1], [1 2 4 8], [1 -2 4 -8], [0 0 0 1].
    @inline(__always)
    static func gradientRows<V: SIMD>(
        _ e0: V, _ e1: V, _ e2: V, _ e3: V
    ) -> (V, V, V, V, V, V) where V.Scalar == Float {
        let (even, odd) = (e0 + e2, e1 + e3)
        let (evenWide, oddWide) = (e0 + 4 * e2, 2 * e1 + 8 * e3)
        return (e0, even + odd, even - odd, evenWide + oddWide, evenWide - oddWide, e3)
    }

    /// dw = Gᵀ dU G for every kernel: [36, O, C] -> [O, C, 3, 3], kernels split among the threads,
    /// in double so that dw is rounded once.
    static func filterGradient(_ gradU: Tensor, outChannels o: Int, inChannels c: Int) -> Tensor {
        // Gᵀ e for six values e: the columns of G = [¼ 0 0; -⅙ -⅙ -⅙; -⅙ ⅙ -⅙; 1/24 1/12 ⅙;
        // 1/24 -1/12 ⅙; 0 0 1].
        let (quarter, sixth, twelfth, twentyFourth) = (0.25, 1.0 / 6, 1.0 / 12, 1.0 / 24)
        @inline(__always) func gTransposed(_ e: (Int) -> Double) -> (Double, Double, Double) {
            let (inner, outer) = (e(1) + e(2), e(3) + e(4))
            return (
                e(0) * quarter - inner * sixth + outer * twentyFourth,
                (e(2) - e(1)) * sixth + (e(3) - e(4)) * twelfth,
                (outer - inner) * sixth + e(5)
            )
        }
        return Tensor(shape: [o, c, 3, 3]) { dw in
            gradU.withUnsafeBufferPointer { du in
                let gradients = UncheckedSendable(dw.baseAddress!)
                gatherKernels(o * c, from: du.baseAddress!) { pair, column in
                    // f = Gᵀ dU (3x6), column by column; then row i of dw is Gᵀ (row i of f).
                    var f = (SIMD8<Double>(), SIMD8<Double>(), SIMD8<Double>())
                    for l in 0..<6 {
                        (f.0[l], f.1[l], f.2[l]) = gTransposed { Double(column[(6 * $0 + l) * 16]) }
                    }
                    @inline(__always) func write(_ row: SIMD8<Double>, _ i: Int) {
                        let (a, b, e) = gTransposed { row[$0] }
                        let target = gradients.value + pair * 9 + 3 * i
                        (target[0], target[1], target[2]) = (Float(a), Float(b), Float(e))
                    }
                    write(f.0, 0)
                    write(f.1, 1)
                    write(f.2, 2)
                }
            }
        }
    }

    /// y[s, o, 4ty + a, 4tx + b] = (Aᵀ m A)[a, b] + bias[o] with m[ξ] = M[o, ξ, s·tiles + t],
    /// in C on 16 tiles a vector (`stbp_winograd4x4_output_tiles`), blocks of 256 GEMM
    /// columns of one channel at a time on the threads; outputs past the map's edge are
    /// dropped. Reads up to 15 floats past M's last tile.
    static func transformOutput(
        _ m: UnsafePointer<Float>, channels: Int, samples: Int, _ t: WinogradTiling, bias: UnsafePointer<Float>?,
        into y: UnsafeMutablePointer<Float>
    ) {
        let n = samples * t.tiles, blocks = (n + 255) / 256, mapSize = t.height * t.width
        let task = UncheckedSendable((m, y, bias))
        parallelFor(channels * blocks) { items in
            let (m, y, bias) = task.value
            for item in items {
                let o = item / blocks, first = 256 * (item % blocks)
                stbp_winograd4x4_output_tiles(
                    m + o * 36 * n, n, first, min(256, n - first), t.tiles, t.columns, bias?[o] ?? 0,
                    y + o * mapSize, channels * mapSize, t.height, t.width)
            }
        }
    }

    /// Stores six transform values of four tiles, value j at target + j · stride, as far as
    /// `count` tiles go.
    @inline(__always)
    static func store(
        _ values: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>),
        _ target: UnsafeMutablePointer<Float>, stride: Int, count: Int
    ) {
        let raw = UnsafeMutableRawPointer(target), step = stride * MemoryLayout<Float>.stride
        @inline(__always) func put(_ value: SIMD4<Float>, _ j: Int) {
            if count == 4 {
                raw.storeBytes(of: value, toByteOffset: j * step, as: SIMD4<Float>.self)
            } else {
                for lane in 0..<count { target[j * stride + lane] = value[lane] }
            }
        }
        put(values.0, 0)
        put(values.1, 1)
        put(values.2, 2)
        put(values.3, 3)
        put(values.4, 4)
        put(values.5, 5)
    }
}
