#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// h(u) of one `Surrogate` with its threshold and width folded in, as a type: the LIF reverse
/// pass is generic over it, so each curve gets its own loop with the formula inlined instead of a
/// call through a closure per neuron and step. Each `h(u)` equals
/// `surrogate.derivative(at: u - threshold)` bit for bit.
protocol SurrogateCurve {
    /// h at membrane potential u.
    func callAsFunction(_ u: Float) -> Float
}

/// (1/a) · 1[|u - V| < a/2].
struct RectangularCurve: SurrogateCurve {
    let threshold: Float, width: Float
    @inline(__always) func callAsFunction(_ u: Float) -> Float {
        abs(u - threshold) < width / 2 ? 1 / width : 0
    }
}

/// (2/a) · max(0, 1 - 2|u - V|/a).
struct TriangularCurve: SurrogateCurve {
    let threshold: Float, width: Float
    @inline(__always) func callAsFunction(_ u: Float) -> Float {
        Swift.max(0, 1 - 2 * abs(u - threshold) / width) * 2 / width
    }
}

/// (1/a) · s(1 - s), s = sigmoid((u - V)/a).
struct SigmoidCurve: SurrogateCurve {
    let threshold: Float, width: Float
    @inline(__always) func callAsFunction(_ u: Float) -> Float {
        let s = 1 / (1 + expf(-(u - threshold) / width))
        return s * (1 - s) / width
    }
}

/// exp(-(u - V)² / 2a) / sqrt(2πa).
struct GaussianCurve: SurrogateCurve {
    let threshold: Float, width: Float
    @inline(__always) func callAsFunction(_ u: Float) -> Float {
        let x = u - threshold
        return expf(-x * x / (2 * width)) / (2 * Float.pi * width).squareRoot()
    }
}

/// (1/a) / (1 + (π(u - V)/a)²).
struct ArctanCurve: SurrogateCurve {
    let threshold: Float, width: Float
    @inline(__always) func callAsFunction(_ u: Float) -> Float {
        let z = Float.pi * (u - threshold) / width
        return 1 / (width * (1 + z * z))
    }
}
