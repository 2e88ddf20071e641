extension Tensor {
    /// The sum of all scalars (accumulated in Double).
    public func sum() -> Float {
        withUnsafeBufferPointer { x in
            var total: Double = 0
            for value in x { total += Double(value) }
            return Float(total)
        }
    }

    /// The mean of all scalars; 0 for an empty tensor.
    public func mean() -> Float {
        count == 0 ? 0 : sum() / Float(count)
    }

    /// The largest scalar; -infinity for an empty tensor.
    public func max() -> Float {
        withUnsafeBufferPointer { $0.max() ?? -.infinity }
    }

    /// The smallest scalar; +infinity for an empty tensor.
    public func min() -> Float {
        withUnsafeBufferPointer { $0.min() ?? .infinity }
    }

    /// Sums over `axis`, removing it: [a, n, b] -> [a, b].
    public func sum(alongAxis axis: Int) -> Tensor {
        precondition(axis >= 0 && axis < rank, "Axis \(axis) is outside shape \(shape).")
        let outer = shape[..<axis].reduce(1, *)
        let extent = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        var newShape = shape
        newShape.remove(at: axis)
        var result = Tensor(zeros: newShape)
        result.withUnsafeMutableBufferPointer { out in
            withUnsafeBufferPointer { x in
                for o in 0..<outer {
                    for e in 0..<extent {
                        let source = (o * extent + e) * inner
                        for i in 0..<inner { out[o * inner + i] += x[source + i] }
                    }
                }
            }
        }
        return result
    }

    /// Averages over `axis`, removing it.
    public func mean(alongAxis axis: Int) -> Tensor {
        let extent = shape[axis]
        return sum(alongAxis: axis) * (extent == 0 ? 0 : 1 / Float(extent))
    }

    /// For a tensor [rows, columns]: the index of the largest scalar in each row (the first on ties).
    public func argmaxRows() -> [Int] {
        precondition(rank == 2, "argmaxRows needs a [rows, columns] tensor, got \(shape).")
        let columns = shape[1]
        return withUnsafeBufferPointer { x in
            (0..<shape[0]).map { row in
                var best = 0
                for column in 1..<Swift.max(columns, 1) where x[row * columns + column] > x[row * columns + best] {
                    best = column
                }
                return best
            }
        }
    }
}
