/// A dense (fully connected) layer as one GEMM: x [N, in], w [out, in], b [out] -> y [N, out],
/// y = x wᵀ + b (PyTorch's `nn.Linear` layout).
package enum DenseKernel {
    /// y = x wᵀ + b.
    package static func forward(input: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        precondition(
            input.rank == 2 && weight.rank == 2,
            "dense needs input [N, in] and weight [out, in], got \(input.shape) and \(weight.shape).")
        precondition(
            input.shape[1] == weight.shape[1],
            "dense input \(input.shape) has \(input.shape[1]) features but weight \(weight.shape) expects \(weight.shape[1])."
        )
        var out = Tensor.matmul(input, weight, transposeB: true)
        if let bias {
            precondition(bias.shape == [weight.shape[0]], "dense bias must be [\(weight.shape[0])], got \(bias.shape).")
            let columns = weight.shape[0]
            out.withUnsafeMutableBufferPointer { y in
                bias.withUnsafeBufferPointer { b in
                    for row in 0..<input.shape[0] {
                        for j in 0..<columns { y[row * columns + j] += b[j] }
                    }
                }
            }
        }
        return out
    }

    /// dL/dx = dy w, dL/dw = dyᵀ x, dL/db = sum over rows of dy.
    package static func backward(
        gradOutput: Tensor, input: Tensor, weight: Tensor, inputGradient: Bool = true
    ) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
        precondition(
            gradOutput.shape == [input.shape[0], weight.shape[0]],
            "dense gradient must be [\(input.shape[0]), \(weight.shape[0])], got \(gradOutput.shape).")
        let dx = inputGradient ? Tensor.matmul(gradOutput, weight) : nil
        let dw = Tensor.matmul(gradOutput, input, transposeA: true)
        return (dx, dw, gradOutput.sum(alongAxis: 0))
    }
}
