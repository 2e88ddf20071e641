/// Sums of raw float buffers, vectorised.
package enum Reduction {
    /// x[0] + ... + x[count - 1], accumulated in 16 interleaved partial sums (SIMD16) that are
    /// added at the end: a different rounding order from a left-to-right sum, and several
    /// times faster, since the additions no longer wait on each other.
    @inlinable
    package static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var partial = SIMD16<Float>()
        var i = 0
        let raw = UnsafeRawPointer(x)
        while i + 16 <= count {
            partial += raw.loadUnaligned(fromByteOffset: i * MemoryLayout<Float>.stride, as: SIMD16<Float>.self)
            i += 16
        }
        var total = partial.sum()
        while i < count {
            total += x[i]
            i += 1
        }
        return total
    }
}
