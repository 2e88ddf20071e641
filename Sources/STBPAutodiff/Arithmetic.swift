import STBPTensor

// Elementwise arithmetic with broadcasting. Each pullback sums the gradient back to the
// input's shape over the broadcast axes.

extension Variable {
    /// a + b with broadcasting.
    public static func + (a: Variable, b: Variable) -> Variable {
        let (shapeA, shapeB) = (a.shape, b.shape)
        return record(a.value + b.value, inputs: [a, b]) { g in
            [g.summed(toShape: shapeA), g.summed(toShape: shapeB)]
        }
    }

    /// a - b with broadcasting.
    public static func - (a: Variable, b: Variable) -> Variable {
        let (shapeA, shapeB) = (a.shape, b.shape)
        return record(a.value - b.value, inputs: [a, b]) { g in
            [g.summed(toShape: shapeA), (-g).summed(toShape: shapeB)]
        }
    }

    /// a * b with broadcasting.
    public static func * (a: Variable, b: Variable) -> Variable {
        let (x, y) = (a.value, b.value)
        let (recordA, recordB) = (a.isRecorded, b.isRecorded)
        return record(x * y, inputs: [a, b]) { g in
            [recordA ? (g * y).summed(toShape: x.shape) : nil, recordB ? (g * x).summed(toShape: y.shape) : nil]
        }
    }

    /// a / b with broadcasting.
    public static func / (a: Variable, b: Variable) -> Variable {
        let (x, y) = (a.value, b.value)
        let (recordA, recordB) = (a.isRecorded, b.isRecorded)
        return record(x / y, inputs: [a, b]) { g in
            [
                recordA ? (g / y).summed(toShape: x.shape) : nil,
                recordB ? (-(g * x) / (y * y)).summed(toShape: y.shape) : nil,
            ]
        }
    }

    /// -a.
    public static prefix func - (a: Variable) -> Variable {
        record(-a.value, inputs: [a]) { g in [-g] }
    }

    /// a + s.
    public static func + (a: Variable, s: Float) -> Variable {
        record(a.value + s, inputs: [a]) { g in [g] }
    }

    /// s + a.
    public static func + (s: Float, a: Variable) -> Variable { a + s }

    /// a - s.
    public static func - (a: Variable, s: Float) -> Variable { a + (-s) }

    /// s - a.
    public static func - (s: Float, a: Variable) -> Variable {
        record(s - a.value, inputs: [a]) { g in [-g] }
    }

    /// a * s.
    public static func * (a: Variable, s: Float) -> Variable {
        record(a.value * s, inputs: [a]) { g in [g * s] }
    }

    /// s * a.
    public static func * (s: Float, a: Variable) -> Variable { a * s }

    /// a / s.
    public static func / (a: Variable, s: Float) -> Variable { a * (1 / s) }

    /// s / a.
    public static func / (s: Float, a: Variable) -> Variable {
        let x = a.value
        return record(s / x, inputs: [a]) { g in [-(g * s) / (x * x)] }
    }
}
