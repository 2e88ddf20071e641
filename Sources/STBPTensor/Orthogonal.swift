import COpenBLAS

extension Tensor {
    /// A (semi-)orthogonal matrix, as PyTorch's `orthogonal_`: the first axis is rows and the
    /// rest is flattened into columns; rows are orthonormal when rows <= columns, columns otherwise.
    ///
    /// A normal matrix is factored A = QR by LAPACK (`sgeqrf`, `sorgqr`); Q's columns are
    /// multiplied by sign(diag(R)) so the result is uniformly distributed, then scaled by `gain`.
    public static func orthogonal(_ shape: [Int], gain: Float = 1, using generator: inout SeededGenerator) -> Tensor {
        precondition(shape.count >= 2, "orthogonal needs at least two axes, got \(shape).")
        let rows = shape[0], columns = shape.dropFirst().reduce(1, *)
        // Factor a tall matrix m x n (m >= n); transpose at the end when rows < columns.
        let (m, n) = rows >= columns ? (rows, columns) : (columns, rows)
        var a = normal([m, n], using: &generator)
        var tau = [Float](repeating: 0, count: n)
        var signs = [Float](repeating: 1, count: n)
        a.withUnsafeMutableBufferPointer { p in
            let status = LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, Int32(m), Int32(n), p.baseAddress, Int32(n), &tau)
            precondition(status == 0, "LAPACKE_sgeqrf failed with status \(status).")
            for i in 0..<n { signs[i] = p[i * n + i] < 0 ? -1 : 1 }
            let status2 = LAPACKE_sorgqr(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(n), p.baseAddress, Int32(n), &tau)
            precondition(status2 == 0, "LAPACKE_sorgqr failed with status \(status2).")
            for i in 0..<m {
                for j in 0..<n { p[i * n + j] *= signs[j] * gain }
            }
        }
        let q = rows >= columns ? a : a.transposed()
        return q.reshaped(shape)
    }
}
