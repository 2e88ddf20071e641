/// The im2col and col2im transforms that turn a convolution into one matrix product.
///
/// For `samples` inputs [S, C, H, W] the column matrix is [C * kh * kw, S * Ho * Wo]:
/// row (c * kh + i) * kw + j, column s * Ho * Wo + oy * Wo + ox holds
/// x[s, c, oy * stride - padding + i, ox * stride - padding + j], or 0 outside the image.
///
/// Both run in parallel over the [H, W] planes. Inner loops index pointers offset before the
/// loop (an index sum inside the loop is overflow-checked and keeps LLVM from vectorising).
public enum Im2col {
    /// Fills `columns` ([C*kh*kw, samples*Ho*Wo]) from `input` ([samples, C, H, W]).
    public static func im2col(
        _ input: UnsafePointer<Float>, geometry g: Conv2DGeometry, samples: Int,
        into columns: UnsafeMutablePointer<Float>
    ) {
        let rowLength = samples * g.outPixels
        let task = UncheckedSendable((input, columns))
        parallelFor(samples * g.inChannels, grain: 4) { range in
            let (input, columns) = task.value
            for plane in range {
                let s = plane / g.inChannels, c = plane % g.inChannels
                let source = input + plane * g.inPixels
                for i in 0..<g.kernelHeight {
                    for j in 0..<g.kernelWidth {
                        let row = (c * g.kernelHeight + i) * g.kernelWidth + j
                        let (low, high) = validColumns(g, j: j)
                        var destination = columns + row * rowLength + s * g.outPixels
                        if isShift(g) {
                            copyShifted(source, g, i: i, j: j, low: low, high: high, into: destination)
                            continue
                        }
                        for oy in 0..<g.outHeight {
                            let iy = oy * g.stride - g.padding + i
                            if iy >= 0 && iy < g.height && high > low {
                                fill(destination, count: low)
                                let first = source + iy * g.width + (low * g.stride - g.padding + j)
                                gather(first, stride: g.stride, into: destination + low, count: high - low)
                                fill(destination + high, count: g.outWidth - high)
                            } else {
                                fill(destination, count: g.outWidth)
                            }
                            destination += g.outWidth
                        }
                    }
                }
            }
        }
    }

    /// The output columns [low, high) whose tap j lands inside the image row.
    @inline(__always)
    static func validColumns(_ g: Conv2DGeometry, j: Int) -> (Int, Int) {
        // ix = ox * stride - padding + j must satisfy 0 <= ix < W.
        let low = min(g.outWidth, max(0, (g.padding - j + g.stride - 1) / g.stride))
        let last = g.width - 1 + g.padding - j
        let high = last < 0 ? 0 : min(g.outWidth, last / g.stride + 1)
        return (low, max(low, high))
    }

    /// Adds `columns` ([C*kh*kw, samples*Ho*Wo]) back into `input` ([samples, C, H, W]), the
    /// adjoint of `im2col`. `input` must be initialised (usually to zero).
    public static func col2im(
        _ columns: UnsafePointer<Float>, geometry g: Conv2DGeometry, samples: Int,
        addingInto input: UnsafeMutablePointer<Float>
    ) {
        col2im(UnsafeMutablePointer(mutating: columns), g, samples, input, overwrite: false, scratch: false)
    }

    /// The adjoint of `im2col`, writing `input` ([samples, C, H, W]) instead of adding to it
    /// (each plane is zeroed in cache first). `columns` is scratch: its entries for taps
    /// outside the image are set to zero, which lets each tap be added as one contiguous run.
    public static func col2im(
        scratch columns: UnsafeMutablePointer<Float>, geometry g: Conv2DGeometry, samples: Int,
        into input: UnsafeMutablePointer<Float>
    ) {
        col2im(columns, g, samples, input, overwrite: true, scratch: true)
    }

    static func col2im(
        _ columns: UnsafeMutablePointer<Float>, _ g: Conv2DGeometry, _ samples: Int,
        _ input: UnsafeMutablePointer<Float>, overwrite: Bool, scratch: Bool
    ) {
        let rowLength = samples * g.outPixels
        let task = UncheckedSendable((input, columns))
        parallelFor(samples * g.inChannels, grain: 4) { range in
            let (input, columns) = task.value
            for plane in range {
                let s = plane / g.inChannels, c = plane % g.inChannels
                let target = input + plane * g.inPixels
                if overwrite { fill(target, count: g.inPixels) }
                for i in 0..<g.kernelHeight {
                    for j in 0..<g.kernelWidth {
                        let row = (c * g.kernelHeight + i) * g.kernelWidth + j
                        let (low, high) = validColumns(g, j: j)
                        var source = columns + row * rowLength + s * g.outPixels
                        if scratch && isShift(g) {
                            addShifted(source, g, i: i, j: j, low: low, high: high, into: target)
                            continue
                        }
                        for oy in 0..<g.outHeight {
                            let iy = oy * g.stride - g.padding + i
                            if iy >= 0 && iy < g.height && high > low {
                                let first = target + iy * g.width + (low * g.stride - g.padding + j)
                                scatterAdd(source + low, into: first, stride: g.stride, count: high - low)
                            }
                            source += g.outWidth
                        }
                    }
                }
            }
        }
    }

    /// Whether each tap's rows are the input plane shifted: stride 1 and Wo == W (padding
    /// (kw - 1) / 2). A tap's block [Ho, Wo] is then one contiguous run of the plane, offset by
    /// (i - p) rows and (j - p) columns, except for the columns that fall outside the image.
    @inline(__always)
    static func isShift(_ g: Conv2DGeometry) -> Bool {
        g.stride == 1 && g.outWidth == g.width
    }

    /// The output rows [first, last) whose tap row i lands inside the image (stride 1).
    @inline(__always)
    static func validRows(_ g: Conv2DGeometry, i: Int) -> (Int, Int) {
        let first = min(g.outHeight, max(0, g.padding - i))
        return (first, max(first, min(g.outHeight, g.height + g.padding - i)))
    }

    /// One tap's block [Ho, Wo] of the column matrix, for `isShift` geometries: one contiguous
    /// copy of the shifted plane, then zeros where the tap falls outside the image.
    static func copyShifted(
        _ plane: UnsafePointer<Float>, _ g: Conv2DGeometry, i: Int, j: Int, low: Int, high: Int,
        into block: UnsafeMutablePointer<Float>
    ) {
        let w = g.width
        let (first, last) = validRows(g, i: i)
        fill(block, count: first * w)
        fill(block + last * w, count: (g.outHeight - last) * w)
        guard last > first, high > low else {
            fill(block + first * w, count: (last - first) * w)
            return
        }
        // Block element (oy, ox) is plane element (oy - p + i) * W + (ox - p + j): a constant
        // offset. Copy the run that stays inside the plane; what is cut off is edge columns.
        let offset = (i - g.padding) * w + (j - g.padding)
        let start = max(first * w, -offset), end = min(last * w, g.inPixels - offset)
        copy(plane + (start + offset), into: block + start, count: end - start)
        zeroEdgeColumns(block, g, first: first, last: last, low: low, high: high)
    }

    /// Zeroes columns [0, low) and [high, W) of rows [first, last) of a block [Ho, W]: one
    /// strided pass per column (a row-wise fill of one or two floats would be a memset call).
    @inline(__always)
    static func zeroEdgeColumns(
        _ block: UnsafeMutablePointer<Float>, _ g: Conv2DGeometry, first: Int, last: Int, low: Int, high: Int
    ) {
        @inline(__always) func zero(_ column: Int) {
            var p = block + first * g.width + column
            for _ in first..<last {
                p.pointee = 0
                p += g.width
            }
        }
        for column in 0..<low { zero(column) }
        for column in high..<g.width { zero(column) }
    }

    /// The adjoint of `copyShifted`: adds one tap's block into the plane. The edge columns of
    /// the block are zeroed first (the block is scratch), so one contiguous add is exact.
    static func addShifted(
        _ block: UnsafeMutablePointer<Float>, _ g: Conv2DGeometry, i: Int, j: Int, low: Int, high: Int,
        into plane: UnsafeMutablePointer<Float>
    ) {
        let w = g.width
        let (first, last) = validRows(g, i: i)
        guard last > first, high > low else { return }
        zeroEdgeColumns(block, g, first: first, last: last, low: low, high: high)
        let offset = (i - g.padding) * w + (j - g.padding)
        let start = max(first * w, -offset), end = min(last * w, g.inPixels - offset)
        let target = plane + (start + offset), source = block + start
        for k in 0..<(end - start) { target[k] += source[k] }
    }

    /// destination[0..<count] = source[0..<count].
    @inline(__always)
    static func copy(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int) {
        for k in 0..<count { destination[k] = source[k] }
    }

    /// destination[0..<count] = 0.
    @inline(__always)
    static func fill(_ destination: UnsafeMutablePointer<Float>, count: Int) {
        for k in 0..<count { destination[k] = 0 }
    }

    /// destination[k] = source[k * stride] for k < count.
    @inline(__always)
    static func gather(
        _ source: UnsafePointer<Float>, stride: Int, into destination: UnsafeMutablePointer<Float>, count: Int
    ) {
        if stride == 1 {
            for k in 0..<count { destination[k] = source[k] }
        } else {
            var p = source
            for k in 0..<count {
                destination[k] = p.pointee
                p += stride
            }
        }
    }

    /// destination[k * stride] += source[k] for k < count.
    @inline(__always)
    static func scatterAdd(
        _ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, stride: Int, count: Int
    ) {
        if stride == 1 {
            for k in 0..<count { destination[k] += source[k] }
        } else {
            var p = destination
            for k in 0..<count {
                p.pointee += source[k]
                p += stride
            }
        }
    }
}
