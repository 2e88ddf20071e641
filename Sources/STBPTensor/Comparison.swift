extension Tensor {
    /// The largest elementwise difference relative to the scale of `reference`:
    /// max_i |self_i - reference_i| / max_i |reference_i| (0 when both are all zero).
    ///
    /// Measuring against the tensor's scale, not each element, keeps near-zero elements from
    /// dominating. Shapes must match; a NaN anywhere gives NaN.
    public func relativeDifference(to reference: Tensor) -> Float {
        precondition(shape == reference.shape, "Cannot compare shapes \(shape) and \(reference.shape).")
        return withUnsafeBufferPointer { a in
            reference.withUnsafeBufferPointer { b in
                var difference: Float = 0, scale: Float = 0
                for i in 0..<a.count {
                    let d = abs(a[i] - b[i])
                    if d.isNaN { return .nan }
                    difference = Swift.max(difference, d)
                    scale = Swift.max(scale, abs(b[i]))
                }
                return difference == 0 ? 0 : difference / Swift.max(scale, .leastNormalMagnitude)
            }
        }
    }
}
