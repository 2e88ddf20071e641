import STBPTensor
import Testing

@Suite struct GEMMTests {
    /// The obvious triple loop: op(a) [m, k] x op(b) [k, n].
    func naiveProduct(_ a: Tensor, _ b: Tensor, _ ta: Bool, _ tb: Bool) -> Tensor {
        let opA = ta ? a.transposed() : a, opB = tb ? b.transposed() : b
        let (m, k, n) = (opA.shape[0], opA.shape[1], opB.shape[1])
        var c = Tensor(zeros: [m, n])
        for i in 0..<m {
            for j in 0..<n {
                var total: Float = 0
                for p in 0..<k { total += opA[i, p] * opB[p, j] }
                c[i, j] = total
            }
        }
        return c
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func everyTransposeCombinationMatchesTheTripleLoop(ta: Bool, tb: Bool) {
        var g = SeededGenerator(seed: 11)
        let (m, k, n) = (5, 7, 3)
        let a = Tensor.normal(ta ? [k, m] : [m, k], using: &g)
        let b = Tensor.normal(tb ? [n, k] : [k, n], using: &g)
        let c = Tensor.matmul(a, b, transposeA: ta, transposeB: tb)
        #expect(c.relativeDifference(to: naiveProduct(a, b, ta, tb)) < 1e-5)
    }

    @Test func leadingDimensionsAddressSubMatricesInPlace() {
        // C[1..<3, 2..<6] = A[0..<2, 1..<4] x B[0..<3, 0..<4], all inside larger buffers.
        var g = SeededGenerator(seed: 12)
        let a = Tensor.normal([4, 6], using: &g), b = Tensor.normal([5, 8], using: &g)
        var c = Tensor(zeros: [4, 9])
        c.withUnsafeMutableBufferPointer { pc in
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    BLAS.sgemm(
                        m: 2, n: 4, k: 3, a: pa.baseAddress! + 1, lda: 6, b: pb.baseAddress!, ldb: 8,
                        c: pc.baseAddress! + 9 + 2, ldc: 9)
                }
            }
        }
        for i in 0..<2 {
            for j in 0..<4 {
                var total: Float = 0
                for p in 0..<3 { total += a[i, 1 + p] * b[p, j] }
                #expect(abs(c[1 + i, 2 + j] - total) < 1e-5)
            }
        }
        #expect(c[0, 0] == 0 && c[3, 8] == 0 && c[1, 1] == 0 && c[1, 6] == 0)
    }

    @Test func denseKernelMatchesMatmulPlusBias() {
        var g = SeededGenerator(seed: 13)
        let x = Tensor.normal([4, 6], using: &g), w = Tensor.normal([3, 6], using: &g),
            b = Tensor.normal([3], using: &g)
        let y = DenseKernel.forward(input: x, weight: w, bias: b)
        #expect(y.relativeDifference(to: naiveProduct(x, w, false, true) + b) < 1e-5)
        let dy = Tensor.normal([4, 3], using: &g)
        let grads = DenseKernel.backward(gradOutput: dy, input: x, weight: w)
        #expect(grads.input!.relativeDifference(to: naiveProduct(dy, w, false, false)) < 1e-5)
        #expect(grads.weight.relativeDifference(to: naiveProduct(dy, x, true, false)) < 1e-5)
        #expect(grads.bias.relativeDifference(to: dy.sum(alongAxis: 0)) < 1e-6)
    }
}
