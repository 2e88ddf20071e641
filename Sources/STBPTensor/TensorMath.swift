// Operations along one axis. A tensor seen around `axis` is [outer, extent, inner]: the axes
// before it, the axis itself, the axes after it; element (o, e, i) lies at (o * extent + e) * inner + i.

extension Tensor {
    /// The sizes of the axes before `axis`, of `axis`, and of the axes after it.
    func layout(aroundAxis axis: Int) -> (outer: Int, extent: Int, inner: Int) {
        precondition(axis >= 0 && axis < rank, "Axis \(axis) is outside shape \(shape).")
        return (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// The largest scalar along `axis`, removing it: [a, n, b] -> [a, b]; -infinity where n is 0.
    /// A NaN counts as larger than every number, so it propagates.
    public func max(alongAxis axis: Int) -> Tensor {
        let (outer, extent, inner) = layout(aroundAxis: axis)
        var newShape = shape
        newShape.remove(at: axis)
        return Tensor(shape: newShape) { out in
            out.update(repeating: -.infinity)
            withUnsafeBufferPointer { x in
                for o in 0..<outer {
                    for e in 0..<extent {
                        let source = (o * extent + e) * inner
                        for i in 0..<inner {
                            let (value, best) = (x[source + i], out[o * inner + i])
                            out[o * inner + i] = value > best || value.isNaN ? value : best
                        }
                    }
                }
            }
        }
    }

    /// The position along `axis` of the largest scalar, for each element of the shape without
    /// `axis` in row-major order: the first such position on ties, the first NaN if there is one
    /// (so the scalar there is `max(alongAxis:)`). `axis` must not be empty.
    public func argmax(alongAxis axis: Int) -> [Int] {
        let (outer, extent, inner) = layout(aroundAxis: axis)
        precondition(extent > 0, "argmax needs a non-empty axis \(axis) in shape \(shape).")
        var positions = [Int](repeating: 0, count: outer * inner)
        withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for i in 0..<inner {
                    var best = x[o * extent * inner + i]
                    for e in 1..<extent where !best.isNaN {
                        let value = x[(o * extent + e) * inner + i]
                        if value > best || value.isNaN {
                            best = value
                            positions[o * inner + i] = e
                        }
                    }
                }
            }
        }
        return positions
    }

    /// Concatenates tensors along `axis`; the other extents must agree: [a, n1, b], [a, n2, b] -> [a, n1 + n2, b].
    public static func concatenated(_ parts: [Tensor], alongAxis axis: Int) -> Tensor {
        precondition(!parts.isEmpty, "Cannot concatenate an empty list of tensors.")
        let first = parts[0].shape
        precondition(axis >= 0 && axis < first.count, "Axis \(axis) is outside shape \(first).")
        for part in parts {
            var expected = first
            if part.rank == first.count { expected[axis] = part.shape[axis] }
            precondition(
                part.shape == expected, "Cannot concatenate shapes \(first) and \(part.shape) along axis \(axis).")
        }
        var shape = first
        shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        let (outer, extent, inner) = (first[..<axis].reduce(1, *), shape[axis], first[(axis + 1)...].reduce(1, *))
        return Tensor(shape: shape) { out in
            var start = 0
            for part in parts {
                let block = part.shape[axis] * inner
                part.withUnsafeBufferPointer { x in
                    for o in 0..<outer where block > 0 {
                        (out.baseAddress! + (o * extent + start) * inner).update(
                            from: x.baseAddress! + o * block, count: block)
                    }
                }
                start += part.shape[axis]
            }
        }
    }

    /// The positions `range` along `axis` (a copy): [a, n, b] -> [a, range.count, b].
    public func slice(_ range: Range<Int>, alongAxis axis: Int) -> Tensor {
        let (outer, extent, inner) = layout(aroundAxis: axis)
        precondition(
            range.lowerBound >= 0 && range.upperBound <= extent,
            "Range \(range) is outside axis \(axis) of shape \(shape).")
        var newShape = shape
        newShape[axis] = range.count
        let block = range.count * inner
        return Tensor(shape: newShape) { out in
            withUnsafeBufferPointer { x in
                for o in 0..<outer where block > 0 {
                    (out.baseAddress! + o * block).update(
                        from: x.baseAddress! + (o * extent + range.lowerBound) * inner, count: block)
                }
            }
        }
    }
}
