/// The im2col and col2im transforms that turn a convolution into one matrix product.
///
/// For `samples` inputs [S, C, H, W] the column matrix is [C * kh * kw, S * Ho * Wo]:
/// row (c * kh + i) * kw + j, column s * Ho * Wo + oy * Wo + ox holds
/// x[s, c, oy * stride - padding + i, ox * stride - padding + j], or 0 outside the image.
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
                        var destination = columns + row * rowLength + s * g.outPixels
                        for oy in 0..<g.outHeight {
                            copyRow(source, g, i: i, j: j, oy: oy, into: destination)
                            destination += g.outWidth
                        }
                    }
                }
            }
        }
    }

    /// One output row oy of the (i, j) kernel tap: Wo values, zero outside the image.
    @inline(__always)
    static func copyRow(
        _ plane: UnsafePointer<Float>, _ g: Conv2DGeometry, i: Int, j: Int, oy: Int,
        into destination: UnsafeMutablePointer<Float>
    ) {
        let iy = oy * g.stride - g.padding + i
        guard iy >= 0 && iy < g.height else {
            destination.update(repeating: 0, count: g.outWidth)
            return
        }
        let sourceRow = plane + iy * g.width
        let (low, high) = validColumns(g, j: j)
        if low > 0 { destination.update(repeating: 0, count: low) }
        if g.stride == 1 {
            if high > low { (destination + low).update(from: sourceRow + (low - g.padding + j), count: high - low) }
        } else {
            var ix = low * g.stride - g.padding + j
            for ox in low..<max(low, high) {
                destination[ox] = sourceRow[ix]
                ix += g.stride
            }
        }
        if high < g.outWidth { (destination + max(high, low)).update(repeating: 0, count: g.outWidth - max(high, low)) }
    }

    /// The output columns [low, high) whose tap j lands inside the image row.
    @inline(__always)
    static func validColumns(_ g: Conv2DGeometry, j: Int) -> (Int, Int) {
        // ix = ox * stride - padding + j must satisfy 0 <= ix < W.
        let low = min(g.outWidth, max(0, (g.padding - j + g.stride - 1) / g.stride))
        let last = g.width - 1 + g.padding - j
        let high = last < 0 ? 0 : min(g.outWidth, last / g.stride + 1)
        return (low, high)
    }

    /// Adds `columns` ([C*kh*kw, samples*Ho*Wo]) back into `input` ([samples, C, H, W]), the
    /// adjoint of `im2col`. `input` must be initialised (usually to zero).
    public static func col2im(
        _ columns: UnsafePointer<Float>, geometry g: Conv2DGeometry, samples: Int,
        addingInto input: UnsafeMutablePointer<Float>
    ) {
        let rowLength = samples * g.outPixels
        let task = UncheckedSendable((input, columns))
        parallelFor(samples * g.inChannels, grain: 4) { range in
            let (input, columns) = task.value
            for plane in range {
                let s = plane / g.inChannels, c = plane % g.inChannels
                let target = input + plane * g.inPixels
                for i in 0..<g.kernelHeight {
                    for j in 0..<g.kernelWidth {
                        let row = (c * g.kernelHeight + i) * g.kernelWidth + j
                        var source = columns + row * rowLength + s * g.outPixels
                        let (low, high) = validColumns(g, j: j)
                        for oy in 0..<g.outHeight {
                            let iy = oy * g.stride - g.padding + i
                            if iy >= 0 && iy < g.height && high > low {
                                let targetRow = target + iy * g.width
                                var ix = low * g.stride - g.padding + j
                                for ox in low..<high {
                                    targetRow[ix] += source[ox]
                                    ix += g.stride
                                }
                            }
                            source += g.outWidth
                        }
                    }
                }
            }
        }
    }
}
