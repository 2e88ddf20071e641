/// 2-D average pooling without padding, NCHW: input [N, C, H, W] -> [N, C, Ho, Wo] with
/// Ho = (H - k) / s + 1, y[n, c, oy, ox] = (1/k²) * sum_{i,j<k} x[n, c, oy*s + i, ox*s + j].
public enum AvgPool2DKernel {
    /// The output shape for an input shape, or nil when the window does not fit.
    public static func outputShape(inputShape: [Int], kernel: Int, stride: Int) -> [Int]? {
        guard inputShape.count == 4, kernel >= 1, stride >= 1,
            inputShape[2] >= kernel, inputShape[3] >= kernel
        else { return nil }
        return [inputShape[0], inputShape[1], (inputShape[2] - kernel) / stride + 1, (inputShape[3] - kernel) / stride + 1]
    }

    static func checkedOutputShape(_ inputShape: [Int], _ kernel: Int, _ stride: Int) -> [Int] {
        guard let shape = outputShape(inputShape: inputShape, kernel: kernel, stride: stride) else {
            preconditionFailure("Average pooling \(kernel)x\(kernel) stride \(stride) does not fit input \(inputShape).")
        }
        return shape
    }

    /// The pooled tensor.
    public static func forward(_ input: Tensor, kernel: Int, stride: Int) -> Tensor {
        let outShape = checkedOutputShape(input.shape, kernel, stride)
        let (h, w, ho, wo) = (input.shape[2], input.shape[3], outShape[2], outShape[3])
        let scale = 1 / Float(kernel * kernel)
        return Tensor(shape: outShape) { out in
            input.withUnsafeBufferPointer { x in
                let task = UncheckedSendable((x.baseAddress!, out.baseAddress!))
                parallelFor(outShape[0] * outShape[1], grain: 8) { planes in
                    let (x, out) = task.value
                    for plane in planes {
                        let source = x + plane * h * w, target = out + plane * ho * wo
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
            }
        }
    }

    /// dL/dx from dL/dy: each input pixel receives (1/k²) times the gradient of every window
    /// that covers it.
    public static func backward(_ gradOutput: Tensor, inputShape: [Int], kernel: Int, stride: Int) -> Tensor {
        let outShape = checkedOutputShape(inputShape, kernel, stride)
        precondition(gradOutput.shape == outShape, "Pooling gradient must be \(outShape), got \(gradOutput.shape).")
        let (h, w, ho, wo) = (inputShape[2], inputShape[3], outShape[2], outShape[3])
        let scale = 1 / Float(kernel * kernel)
        var result = Tensor(zeros: inputShape)
        result.withUnsafeMutableBufferPointer { dx in
            gradOutput.withUnsafeBufferPointer { dy in
                let task = UncheckedSendable((dy.baseAddress!, dx.baseAddress!))
                parallelFor(outShape[0] * outShape[1], grain: 8) { planes in
                    let (dy, dx) = task.value
                    for plane in planes {
                        let source = dy + plane * ho * wo, target = dx + plane * h * w
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
            }
        }
        return result
    }
}
