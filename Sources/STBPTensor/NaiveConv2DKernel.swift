/// The slow, obvious 2-D convolution: direct loops over every output, channel and tap.
///
/// It is the reference the im2col + GEMM path (`Conv2DKernel`) is tested against; nothing else
/// should call it.
package enum NaiveConv2DKernel {
    /// y[n, o, oy, ox] = b[o] + sum_{c,i,j} w[o, c, i, j] * x[n, c, oy*s - p + i, ox*s - p + j].
    package static func forward(
        input: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0
    ) -> Tensor {
        let g = Conv2DGeometry(inputShape: input.shape, weightShape: weight.shape, stride: stride, padding: padding)
        var out = Tensor(zeros: g.outputShape)
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        var total = Double(bias?[o] ?? 0)
                        forEachTap(g, oy: oy, ox: ox) { c, i, j, iy, ix in
                            total += Double(weight[o, c, i, j]) * Double(input[n, c, iy, ix])
                        }
                        out[n, o, oy, ox] = Float(total)
                    }
                }
            }
        }
        return out
    }

    /// dL/dx, dL/dw and dL/db by the same direct loops.
    package static func backward(
        gradOutput: Tensor, input: Tensor, weight: Tensor, stride: Int = 1, padding: Int = 0
    ) -> (input: Tensor, weight: Tensor, bias: Tensor) {
        let g = Conv2DGeometry(inputShape: input.shape, weightShape: weight.shape, stride: stride, padding: padding)
        var dx = Tensor(zeros: g.inputShape)
        var dw = Tensor(zeros: g.weightShape)
        var db = Tensor(zeros: [g.outChannels])
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        let dy = gradOutput[n, o, oy, ox]
                        db[o] += dy
                        forEachTap(g, oy: oy, ox: ox) { c, i, j, iy, ix in
                            dx[n, c, iy, ix] += weight[o, c, i, j] * dy
                            dw[o, c, i, j] += input[n, c, iy, ix] * dy
                        }
                    }
                }
            }
        }
        return (dx, dw, db)
    }

    /// Calls `body(c, i, j, iy, ix)` for every tap of output (oy, ox) that lands inside the image.
    static func forEachTap(_ g: Conv2DGeometry, oy: Int, ox: Int, _ body: (Int, Int, Int, Int, Int) -> Void) {
        for c in 0..<g.inChannels {
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    let iy = oy * g.stride - g.padding + i
                    let ix = ox * g.stride - g.padding + j
                    if iy >= 0 && iy < g.height && ix >= 0 && ix < g.width { body(c, i, j, iy, ix) }
                }
            }
        }
    }
}
