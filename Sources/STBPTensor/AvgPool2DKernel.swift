/// 2-D average pooling without padding, NCHW: input [N, C, H, W] -> [N, C, Ho, Wo] with
/// Ho = (H - k) / s + 1, y[n, c, oy, ox] = (1/k²) * sum_{i,j<k} x[n, c, oy*s + i, ox*s + j].
///
/// The work is done plane by plane (`poolPlanes`, `unpoolPlanes`), which the LIF kernel also
/// calls to pool spikes while they are still in cache; k = s = 2 (the paper's AP2) has its own
/// loops.
package enum AvgPool2DKernel {
    /// The output shape for an input shape, or nil when the window does not fit.
    package static func outputShape(inputShape: [Int], kernel: Int, stride: Int) -> [Int]? {
        guard inputShape.count == 4, kernel >= 1, stride >= 1,
            inputShape[2] >= kernel, inputShape[3] >= kernel
        else { return nil }
        return [
            inputShape[0], inputShape[1], (inputShape[2] - kernel) / stride + 1, (inputShape[3] - kernel) / stride + 1,
        ]
    }

    static func checkedOutputShape(_ inputShape: [Int], _ kernel: Int, _ stride: Int) -> [Int] {
        guard let shape = outputShape(inputShape: inputShape, kernel: kernel, stride: stride) else {
            preconditionFailure(
                "Average pooling \(kernel)x\(kernel) stride \(stride) does not fit input \(inputShape).")
        }
        return shape
    }

    /// The pooled tensor.
    package static func forward(_ input: Tensor, kernel: Int, stride: Int) -> Tensor {
        let outShape = checkedOutputShape(input.shape, kernel, stride)
        let (h, w, ho, wo) = (input.shape[2], input.shape[3], outShape[2], outShape[3])
        return Tensor(shape: outShape) { out in
            input.withUnsafeBufferPointer { x in
                let task = UncheckedSendable((x.baseAddress!, out.baseAddress!))
                parallelFor(outShape[0] * outShape[1], grain: 8) { planes in
                    let (x, out) = task.value
                    poolPlanes(
                        x + planes.lowerBound * h * w, into: out + planes.lowerBound * ho * wo, planes: planes.count,
                        height: h, width: w, kernel: kernel, stride: stride)
                }
            }
        }
    }

    /// dL/dx from dL/dy: each input pixel receives (1/k²) times the gradient of every window
    /// that covers it.
    package static func backward(_ gradOutput: Tensor, inputShape: [Int], kernel: Int, stride: Int) -> Tensor {
        let outShape = checkedOutputShape(inputShape, kernel, stride)
        precondition(gradOutput.shape == outShape, "Pooling gradient must be \(outShape), got \(gradOutput.shape).")
        let (h, w, ho, wo) = (inputShape[2], inputShape[3], outShape[2], outShape[3])
        return Tensor(shape: inputShape) { dx in
            gradOutput.withUnsafeBufferPointer { dy in
                let task = UncheckedSendable((dy.baseAddress!, dx.baseAddress!))
                parallelFor(outShape[0] * outShape[1], grain: 8) { planes in
                    let (dy, dx) = task.value
                    unpoolPlanes(
                        dy + planes.lowerBound * ho * wo, into: dx + planes.lowerBound * h * w, planes: planes.count,
                        height: h, width: w, kernel: kernel, stride: stride)
                }
            }
        }
    }

    /// Pools `planes` consecutive planes: x [planes, H, W] -> y [planes, Ho, Wo].
    package static func poolPlanes(
        _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, planes: Int,
        height h: Int, width w: Int, kernel: Int, stride: Int
    ) {
        let (ho, wo) = ((h - kernel) / stride + 1, (w - kernel) / stride + 1)
        let scale = 1 / Float(kernel * kernel)
        for plane in 0..<planes {
            let source = x + plane * h * w, target = y + plane * ho * wo
            if kernel == 2 && stride == 2 {
                for oy in 0..<ho {
                    let top = source + 2 * oy * w
                    pool2(top, top + w, into: target + oy * wo, count: wo, scale: scale)
                }
                continue
            }
            for oy in 0..<ho {
                for ox in 0..<wo {
                    var total: Float = 0
                    for i in 0..<kernel {
                        let row = source + (oy * stride + i) * w + ox * stride
                        for j in 0..<kernel { total += row[j] }
                    }
                    target[oy * wo + ox] = total * scale
                }
            }
        }
    }

    /// The adjoint of `poolPlanes`: dy [planes, Ho, Wo] -> dx [planes, H, W], overwriting dx.
    /// Each pixel receives (1/k²) times the gradient of every window covering it, 0 if none.
    package static func unpoolPlanes(
        _ dy: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>, planes: Int,
        height h: Int, width w: Int, kernel: Int, stride: Int
    ) {
        let (ho, wo) = ((h - kernel) / stride + 1, (w - kernel) / stride + 1)
        let scale = 1 / Float(kernel * kernel)
        for plane in 0..<planes {
            let source = dy + plane * ho * wo, target = dx + plane * h * w
            if kernel == 2 && stride == 2 {
                for oy in 0..<ho {
                    let top = target + 2 * oy * w, bottom = top + w
                    unpool2(source + oy * wo, into: top, bottom, count: wo, scale: scale)
                    if w > 2 * wo {
                        (top + 2 * wo).update(repeating: 0, count: w - 2 * wo)
                        (bottom + 2 * wo).update(repeating: 0, count: w - 2 * wo)
                    }
                }
                if h > 2 * ho { (target + 2 * ho * w).update(repeating: 0, count: (h - 2 * ho) * w) }
                continue
            }
            target.update(repeating: 0, count: h * w)
            for oy in 0..<ho {
                for ox in 0..<wo {
                    let g = source[oy * wo + ox] * scale
                    for i in 0..<kernel {
                        let row = target + (oy * stride + i) * w + ox * stride
                        for j in 0..<kernel { row[j] += g }
                    }
                }
            }
        }
    }

    /// One output row of 2 x 2 pooling with stride 2: y[ox] = ((t[2ox] + b[2ox]) +
    /// (t[2ox+1] + b[2ox+1])) · scale, four outputs at a time (even and odd lanes of 8 inputs).
    @inline(__always)
    static func pool2(
        _ top: UnsafePointer<Float>, _ bottom: UnsafePointer<Float>, into row: UnsafeMutablePointer<Float>,
        count: Int, scale: Float
    ) {
        let (t, b, y) = (UnsafeRawPointer(top), UnsafeRawPointer(bottom), UnsafeMutableRawPointer(row))
        var ox = 0
        while ox + 4 <= count {
            let pairs =
                t.loadUnaligned(fromByteOffset: 8 * ox, as: SIMD8<Float>.self)
                + b.loadUnaligned(fromByteOffset: 8 * ox, as: SIMD8<Float>.self)
            y.storeBytes(of: (pairs.evenHalf + pairs.oddHalf) * scale, toByteOffset: 4 * ox, as: SIMD4<Float>.self)
            ox += 4
        }
        while ox < count {
            row[ox] = ((top[2 * ox] + bottom[2 * ox]) + (top[2 * ox + 1] + bottom[2 * ox + 1])) * scale
            ox += 1
        }
    }

    /// The adjoint of `pool2` for one row: each g · scale goes to its 2 x 2 window.
    @inline(__always)
    static func unpool2(
        _ row: UnsafePointer<Float>, into top: UnsafeMutablePointer<Float>, _ bottom: UnsafeMutablePointer<Float>,
        count: Int, scale: Float
    ) {
        let (g, t, b) = (UnsafeRawPointer(row), UnsafeMutableRawPointer(top), UnsafeMutableRawPointer(bottom))
        var ox = 0
        while ox + 4 <= count {
            let v = g.loadUnaligned(fromByteOffset: 4 * ox, as: SIMD4<Float>.self) * scale
            let pairs = SIMD8<Float>(v[0], v[0], v[1], v[1], v[2], v[2], v[3], v[3])
            t.storeBytes(of: pairs, toByteOffset: 8 * ox, as: SIMD8<Float>.self)
            b.storeBytes(of: pairs, toByteOffset: 8 * ox, as: SIMD8<Float>.self)
            ox += 4
        }
        while ox < count {
            let v = row[ox] * scale
            (top[2 * ox], top[2 * ox + 1], bottom[2 * ox], bottom[2 * ox + 1]) = (v, v, v, v)
            ox += 1
        }
    }
}
