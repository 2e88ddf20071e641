/// NumPy/PyTorch broadcasting: shapes are aligned at their last axis, and an extent of 1 (or a
/// missing leading axis) repeats to match the other shape.
package enum Broadcast {
    /// The broadcast shape of `a` and `b`; stops with both shapes when they do not broadcast.
    package static func shape(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = max(a.count, b.count)
        let paddedA = Array(repeating: 1, count: rank - a.count) + a
        let paddedB = Array(repeating: 1, count: rank - b.count) + b
        return (0..<rank).map { axis in
            let x = paddedA[axis], y = paddedB[axis]
            precondition(x == y || x == 1 || y == 1, "Shapes \(a) and \(b) do not broadcast.")
            return x == 1 ? y : x
        }
    }

    /// Row-major strides of `shape` seen inside `target` (0 on repeated axes), padded to its rank.
    static func strides(of shape: [Int], in target: [Int]) -> [Int] {
        let padded = Array(repeating: 1, count: target.count - shape.count) + shape
        var strides = Array(repeating: 0, count: target.count)
        var step = 1
        for axis in Swift.stride(from: target.count - 1, through: 0, by: -1) {
            strides[axis] = padded[axis] == 1 ? 0 : step
            step *= padded[axis]
        }
        return strides
    }

    /// Calls `body(offsetA, offsetB, offsetOut, length, strideA, strideB)` for each innermost run
    /// of `shape`, where `a` and `b` have the given broadcast strides.
    static func forEachRun(
        shape: [Int], stridesA: [Int], stridesB: [Int],
        _ body: (_ a: Int, _ b: Int, _ out: Int, _ length: Int, _ strideA: Int, _ strideB: Int) -> Void
    ) {
        let rank = shape.count
        guard rank > 0 else { return body(0, 0, 0, 1, 0, 0) }
        let inner = shape[rank - 1]
        let outer = shape.dropLast().reduce(1, *)
        guard inner > 0 else { return }
        var index = Array(repeating: 0, count: rank - 1)
        var offsetA = 0, offsetB = 0
        for run in 0..<outer {
            body(offsetA, offsetB, run * inner, inner, stridesA[rank - 1], stridesB[rank - 1])
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                offsetA += stridesA[axis]
                offsetB += stridesB[axis]
                if index[axis] < shape[axis] { break }
                offsetA -= stridesA[axis] * shape[axis]
                offsetB -= stridesB[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

extension Tensor {
    /// The elementwise combination `op(a, b)` of two tensors under broadcasting (NumPy and
    /// PyTorch rules): the shapes are aligned at their last axis and an extent of 1, or a missing
    /// leading axis, repeats to match the other; the result has the broadcast shape. Stops when
    /// the shapes do not broadcast.
    @inlinable
    public static func broadcasting(_ a: Tensor, _ b: Tensor, _ op: (Float, Float) -> Float) -> Tensor {
        if a.shape == b.shape {
            return Tensor(shape: a.shape) { out in
                a.withUnsafeBufferPointer { x in
                    b.withUnsafeBufferPointer { y in
                        for i in 0..<out.count { out[i] = op(x[i], y[i]) }
                    }
                }
            }
        }
        return broadcastingGeneral(a, b, op)
    }

    @usableFromInline
    static func broadcastingGeneral(_ a: Tensor, _ b: Tensor, _ op: (Float, Float) -> Float) -> Tensor {
        let shape = Broadcast.shape(a.shape, b.shape)
        let stridesA = Broadcast.strides(of: a.shape, in: shape)
        let stridesB = Broadcast.strides(of: b.shape, in: shape)
        return Tensor(shape: shape) { out in
            a.withUnsafeBufferPointer { x in
                b.withUnsafeBufferPointer { y in
                    Broadcast.forEachRun(shape: shape, stridesA: stridesA, stridesB: stridesB) {
                        ia, ib, io, n, sa, sb in
                        for k in 0..<n { out[io + k] = op(x[ia + k * sa], y[ib + k * sb]) }
                    }
                }
            }
        }
    }

    /// Sums this tensor over the axes on which `shape` is broadcast, giving a tensor of `shape`
    /// (the adjoint of broadcasting `shape` to `self.shape`).
    public func summed(toShape target: [Int]) -> Tensor {
        if target == shape { return self }
        precondition(Broadcast.shape(target, shape) == shape, "Cannot sum shape \(shape) down to \(target).")
        let stridesTarget = Broadcast.strides(of: target, in: shape)
        let zeroStrides = Array(repeating: 0, count: shape.count)
        var result = Tensor(zeros: target)
        result.withUnsafeMutableBufferPointer { out in
            withUnsafeBufferPointer { x in
                Broadcast.forEachRun(shape: shape, stridesA: stridesTarget, stridesB: zeroStrides) {
                    it, _, ix, n, st, _ in
                    if st == 0 {
                        var total: Float = 0
                        for k in 0..<n { total += x[ix + k] }
                        out[it] += total
                    } else {
                        for k in 0..<n { out[it + k * st] += x[ix + k] }
                    }
                }
            }
        }
        return result
    }
}
