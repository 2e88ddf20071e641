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
        col2im(columns, geometry: g, samples: samples, into: input, overwrite: false)
    }

    /// The adjoint of `im2col`, writing `input` ([samples, C, H, W]) instead of adding to it:
    /// each plane is zeroed, while in cache, before its taps are added.
    public static func col2im(
        _ columns: UnsafePointer<Float>, geometry g: Conv2DGeometry, samples: Int,
        into input: UnsafeMutablePointer<Float>
    ) {
        col2im(columns, geometry: g, samples: samples, into: input, overwrite: true)
    }

    static func col2im(
        _ columns: UnsafePointer<Float>, geometry g: Conv2DGeometry, samples: Int,
        into input: UnsafeMutablePointer<Float>, overwrite: Bool
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
