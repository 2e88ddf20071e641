extension Tensor {
    /// Applies `transform` to every scalar; the result has the same shape.
    @inlinable
    public func map(_ transform: (Float) -> Float) -> Tensor {
        Tensor(shape: shape) { out in
            withUnsafeBufferPointer { x in
                for i in 0..<out.count { out[i] = transform(x[i]) }
            }
        }
    }

    /// Combines two tensors of the same shape scalar by scalar.
    @inlinable
    public func zip(_ other: Tensor, _ combine: (Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape, "Shapes \(shape) and \(other.shape) differ.")
        return Tensor.broadcasting(self, other, combine)
    }

    /// Elementwise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, +) }
    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, -) }
    /// Elementwise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, *) }
    /// Elementwise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor { broadcasting(a, b, /) }

    /// Adds a scalar to every element.
    public static func + (a: Tensor, s: Float) -> Tensor { a.map { $0 + s } }
    /// Subtracts a scalar from every element.
    public static func - (a: Tensor, s: Float) -> Tensor { a.map { $0 - s } }
    /// Multiplies every element by a scalar.
    public static func * (a: Tensor, s: Float) -> Tensor { a.map { $0 * s } }
    /// Divides every element by a scalar.
    public static func / (a: Tensor, s: Float) -> Tensor { a.map { $0 / s } }
    /// Adds every element to a scalar.
    public static func + (s: Float, a: Tensor) -> Tensor { a.map { s + $0 } }
    /// Subtracts every element from a scalar.
    public static func - (s: Float, a: Tensor) -> Tensor { a.map { s - $0 } }
    /// Multiplies a scalar by every element.
    public static func * (s: Float, a: Tensor) -> Tensor { a.map { s * $0 } }
    /// Divides a scalar by every element.
    public static func / (s: Float, a: Tensor) -> Tensor { a.map { s / $0 } }
    /// Negates every element.
    public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }

    /// Adds `other` (same shape) in place.
    public static func += (a: inout Tensor, b: Tensor) { a.add(b, scaledBy: 1) }

    /// Adds `scale * other` (same shape) in place: self += scale * other.
    public mutating func add(_ other: Tensor, scaledBy scale: Float) {
        precondition(shape == other.shape, "Cannot add shape \(other.shape) to shape \(shape).")
        withUnsafeMutableBufferPointer { y in
            other.withUnsafeBufferPointer { x in
                if scale == 1 {
                    for i in 0..<y.count { y[i] += x[i] }
                } else {
                    for i in 0..<y.count { y[i] += scale * x[i] }
                }
            }
        }
    }

    /// Multiplies every element by `scale` in place.
    public mutating func scale(by scale: Float) {
        withUnsafeMutableBufferPointer { y in
            for i in 0..<y.count { y[i] *= scale }
        }
    }

    /// Sets every element to `value` in place.
    public mutating func fill(with value: Float) {
        withUnsafeMutableBufferPointer { $0.update(repeating: value) }
    }

    /// Every element clamped to [low, high].
    public func clamped(to range: ClosedRange<Float>) -> Tensor {
        map { Swift.min(Swift.max($0, range.lowerBound), range.upperBound) }
    }
}
