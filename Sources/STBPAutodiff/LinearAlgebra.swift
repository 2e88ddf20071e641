import STBPTensor

extension Variable {
    /// op(a) [m, k] x op(b) [k, n] -> [m, n]; dA = g op(b)ᵀ, dB = op(a)ᵀ g (transposed back).
    public static func matmul(
        _ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false
    ) -> Variable {
        let (x, y) = (a.value, b.value)
        let (recordA, recordB) = (a.isRecorded, b.isRecorded)
        return record(Tensor.matmul(x, y, transposeA: transposeA, transposeB: transposeB), inputs: [a, b]) { g in
            let dA: Tensor? =
                recordA
                ? (transposeA
                    ? Tensor.matmul(y, g, transposeA: transposeB, transposeB: true)
                    : Tensor.matmul(g, y, transposeB: !transposeB)) : nil
            let dB: Tensor? =
                recordB
                ? (transposeB
                    ? Tensor.matmul(g, x, transposeA: true, transposeB: transposeA)
                    : Tensor.matmul(x, g, transposeA: !transposeA)) : nil
            return [dA, dB]
        }
    }

    /// A dense layer: x [N, in], weight [out, in], bias [out] -> x weightᵀ + bias [N, out].
    public static func dense(_ x: Variable, weight: Variable, bias: Variable?) -> Variable {
        let (input, w) = (x.value, weight.value)
        let needsInput = x.isRecorded
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return record(DenseKernel.forward(input: input, weight: w, bias: bias?.value), inputs: inputs) { g in
            let grads = DenseKernel.backward(gradOutput: g, input: input, weight: w, inputGradient: needsInput)
            return bias == nil ? [grads.input, grads.weight] : [grads.input, grads.weight, grads.bias]
        }
    }

    /// 2-D convolution, NCHW: x [N, C, H, W], weight [O, C, kh, kw], bias [O] -> [N, O, Ho, Wo].
    public static func conv2d(
        _ x: Variable, weight: Variable, bias: Variable?, stride: Int = 1, padding: Int = 0
    ) -> Variable {
        let (input, w) = (x.value, weight.value)
        let needsInput = x.isRecorded
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        let output = Conv2DKernel.forward(input: input, weight: w, bias: bias?.value, stride: stride, padding: padding)
        return record(output, inputs: inputs) { g in
            let grads = Conv2DKernel.backward(
                gradOutput: g, input: input, weight: w, stride: stride, padding: padding, inputGradient: needsInput)
            return bias == nil ? [grads.input, grads.weight] : [grads.input, grads.weight, grads.bias]
        }
    }

    /// Average pooling with a k x k window and the given stride, NCHW, no padding.
    public func averagePooled(kernel: Int, stride: Int) -> Variable {
        let inputShape = shape
        return Variable.record(AvgPool2DKernel.forward(value, kernel: kernel, stride: stride), inputs: [self]) { g in
            [AvgPool2DKernel.backward(g, inputShape: inputShape, kernel: kernel, stride: stride)]
        }
    }
}
