import STBPTensor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Elementwise functions of one variable: the output has the input's shape, and each pullback
// multiplies the gradient by the derivative at each scalar.

extension Variable {
    /// eˣ; d/dx = eˣ.
    public func exp() -> Variable {
        let y = value.map { expf($0) }
        return Variable.record(y, inputs: [self]) { g in [g * y] }
    }

    /// The natural logarithm ln x, for x > 0 (NaN below 0, -infinity at 0); d/dx = 1 / x.
    public func log() -> Variable {
        let x = value
        return Variable.record(x.map { logf($0) }, inputs: [self]) { g in [g / x] }
    }

    /// The logistic function σ(x) = 1 / (1 + e⁻ˣ), exactly 0 or 1 far out rather than NaN;
    /// d/dx = σ(x)(1 - σ(x)).
    public func sigmoid() -> Variable {
        let y = value.map { 1 / (1 + expf(-$0)) }
        return Variable.record(y, inputs: [self]) { g in [g.zip(y) { $0 * $1 * (1 - $1) }] }
    }

    /// tanh x; d/dx = 1 - tanh² x.
    public func tanh() -> Variable {
        let y = value.map { tanhf($0) }
        return Variable.record(y, inputs: [self]) { g in [g.zip(y) { $0 * (1 - $1 * $1) }] }
    }

    /// max(x, 0); d/dx = 1 for x > 0 and 0 for x ≤ 0 (0 at the kink, as in PyTorch).
    public func relu() -> Variable {
        let y = value.map { Swift.max($0, 0) }
        return Variable.record(y, inputs: [self]) { g in [g.zip(y) { $1 > 0 ? $0 : 0 }] }
    }

    /// |x|; d/dx = sign x, with the subgradient 0 at x = 0.
    public func abs() -> Variable {
        let x = value
        return Variable.record(x.map { Swift.abs($0) }, inputs: [self]) { g in
            [g.zip(x) { $1 > 0 ? $0 : ($1 < 0 ? -$0 : 0) }]
        }
    }

    /// xᵖ (`powf`, so NaN for a negative x unless p is a whole number); d/dx = p xᵖ⁻¹, and 0
    /// everywhere for p = 0, as in PyTorch. For p < 1 the derivative is infinite at x = 0.
    public func pow(_ exponent: Float) -> Variable {
        let x = value
        return Variable.record(x.map { powf($0, exponent) }, inputs: [self]) { g in
            guard exponent != 0 else { return [Tensor(zeros: g.shape)] }
            return [g.zip(x) { $0 * exponent * powf($1, exponent - 1) }]
        }
    }

    /// Every scalar clamped to `range`: min(max(x, low), high).
    ///
    /// d/dx = 1 strictly inside the range and 0 outside it and on its bounds, so that
    /// `clamped(to: 0...Float.infinity)` has the value and the gradient of `relu()`. (PyTorch's
    /// `clamp` passes the gradient on the bounds too; a scalar lands exactly on a bound rarely
    /// unless it was clamped there.)
    public func clamped(to range: ClosedRange<Float>) -> Variable {
        let x = value
        let (low, high) = (range.lowerBound, range.upperBound)
        return Variable.record(x.clamped(to: range), inputs: [self]) { g in
            [g.zip(x) { $1 > low && $1 < high ? $0 : 0 }]
        }
    }
}
