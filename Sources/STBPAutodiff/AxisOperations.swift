import STBPTensor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Operations along one axis. Values reduced over the axis are broadcast back with the axis kept
// as an extent of 1 ([a, n, b] -> [a, 1, b]).

extension Variable {
    /// The shape with `axis` kept as an extent of 1.
    private func keptShape(_ axis: Int) -> [Int] {
        precondition(axis >= 0 && axis < shape.count, "Axis \(axis) is outside shape \(shape).")
        var kept = shape
        kept[axis] = 1
        return kept
    }

    /// Softmax along `axis`, same shape: yᵢ = exp(xᵢ - m) / Σⱼ exp(xⱼ - m) with m the largest xⱼ,
    /// so large inputs do not overflow. dL/dxᵢ = yᵢ (gᵢ - Σⱼ gⱼ yⱼ).
    public func softmax(alongAxis axis: Int) -> Variable {
        let kept = keptShape(axis)
        let exponentials = (value - value.max(alongAxis: axis).reshaped(kept)).map { expf($0) }
        let y = exponentials / exponentials.sum(alongAxis: axis).reshaped(kept)
        return Variable.record(y, inputs: [self]) { g in
            [y * (g - (g * y).sum(alongAxis: axis).reshaped(kept))]
        }
    }

    /// Log-softmax along `axis`, same shape: yᵢ = (xᵢ - m) - log Σⱼ exp(xⱼ - m) with m the largest
    /// xⱼ. dL/dxᵢ = gᵢ - exp(yᵢ) Σⱼ gⱼ.
    public func logSoftmax(alongAxis axis: Int) -> Variable {
        let kept = keptShape(axis)
        let shifted = value - value.max(alongAxis: axis).reshaped(kept)
        let logNormaliser = shifted.map { expf($0) }.sum(alongAxis: axis).map { logf($0) }.reshaped(kept)
        let y = shifted - logNormaliser
        return Variable.record(y, inputs: [self]) { g in
            [g - y.map { expf($0) } * g.sum(alongAxis: axis).reshaped(kept)]
        }
    }

    /// The largest scalar along `axis`, removing it: [a, n, b] -> [a, b]; n must be positive.
    ///
    /// The gradient goes to one maximal scalar per reduced element: on ties the first along
    /// `axis` (lowest index) takes it all and the others get 0 (`Tensor.argmax(alongAxis:)`).
    public func max(alongAxis axis: Int) -> Variable {
        precondition(
            axis >= 0 && axis < shape.count && shape[axis] > 0, "max needs a non-empty axis \(axis) in shape \(shape).")
        let x = value
        let (extent, inner) = (shape[axis], shape[(axis + 1)...].reduce(1, *))
        return Variable.record(x.max(alongAxis: axis), inputs: [self]) { g in
            let positions = x.argmax(alongAxis: axis)
            var full = Tensor(zeros: x.shape)
            full.withUnsafeMutableBufferPointer { out in
                g.withUnsafeBufferPointer { gradient in
                    for (j, e) in positions.enumerated() {
                        let (o, i) = j.quotientAndRemainder(dividingBy: inner)
                        out[(o * extent + e) * inner + i] = gradient[j]
                    }
                }
            }
            return [full]
        }
    }

    /// Concatenates variables along `axis`; the other extents must agree:
    /// [a, n1, b], [a, n2, b], ... -> [a, n1 + n2 + ..., b]. Each part's gradient is its slice of
    /// the output's gradient.
    public static func concatenated(_ parts: [Variable], alongAxis axis: Int) -> Variable {
        let output = Tensor.concatenated(parts.map(\.value), alongAxis: axis)
        let extents = parts.map { $0.shape[axis] }
        let starts = extents.indices.map { extents[..<$0].reduce(0, +) }
        let recorded = parts.map(\.isRecorded)
        return record(output, inputs: parts) { g in
            extents.indices.map { k in
                recorded[k] ? g.slice(starts[k]..<starts[k] + extents[k], alongAxis: axis) : nil
            }
        }
    }
}
