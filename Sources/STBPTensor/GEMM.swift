import COpenBLAS

/// Single-precision matrix products through OpenBLAS's `cblas_sgemm`.
package enum BLAS {
    /// C = alpha * op(A) * op(B) + beta * C, all row-major, without copying any operand.
    ///
    /// op(A) is m x k (A is k x m when `transposeA`), op(B) is k x n, C is m x n. The leading
    /// dimensions (`lda`, `ldb`, `ldc`) are the row strides, so sub-matrices of larger buffers
    /// can be used in place.
    @inlinable
    package static func sgemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "sgemm needs non-negative sizes, got m \(m) n \(n) k \(k).")
        precondition(lda >= max(1, transposeA ? m : k), "sgemm: lda \(lda) is too small.")
        precondition(ldb >= max(1, transposeB ? k : n), "sgemm: ldb \(ldb) is too small.")
        precondition(ldc >= max(1, n), "sgemm: ldc \(ldc) is too small.")
        guard m > 0 && n > 0 else { return }
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

extension Tensor {
    /// The matrix product of two rank-2 tensors, each optionally transposed:
    /// op(a) [m, k] x op(b) [k, n] -> [m, n].
    public static func matmul(
        _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false
    ) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2, "matmul needs rank-2 tensors, got \(a.shape) and \(b.shape).")
        let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let (k2, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        precondition(
            k == k2,
            "matmul: inner sizes differ for \(a.shape)\(transposeA ? "ᵀ" : "") and \(b.shape)\(transposeB ? "ᵀ" : "").")
        return Tensor(shape: [m, n]) { c in
            if k == 0 {
                c.update(repeating: 0)
                return
            }
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    BLAS.sgemm(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                        a: pa.baseAddress!, lda: a.shape[1], b: pb.baseAddress!, ldb: b.shape[1],
                        c: c.baseAddress!, ldc: n)
                }
            }
        }
    }

    /// The transpose of a rank-2 tensor.
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed needs a rank-2 tensor, got \(shape).")
        let rows = shape[0], columns = shape[1]
        return Tensor(shape: [columns, rows]) { out in
            withUnsafeBufferPointer { x in
                for r in 0..<rows {
                    for c in 0..<columns { out[c * rows + r] = x[r * columns + c] }
                }
            }
        }
    }
}
