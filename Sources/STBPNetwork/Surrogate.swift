#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The pseudo-derivative h(u) that stands in for dH/du of the spike H(u - V) in backward.
///
/// Each curve is centred on the threshold V, has width parameter `a` and area 1 over u
/// (STBP's four curves and arctan). x = u - V below.
public enum Surrogate: Sendable, Hashable, Codable {
    /// h = (1/a) · 1[|x| < a/2] — the rectangle of the reference code (a = 1: half-width 0.5, height 1).
    case rectangular(width: Float)
    /// h = (2/a) · max(0, 1 - 2|x|/a) — STBP's polynomial curve: a triangle of base a.
    case triangular(width: Float)
    /// h = (1/a) · s(1 - s), s = sigmoid(x/a) — the derivative of a sigmoid of temperature a.
    case sigmoid(width: Float)
    /// h = exp(-x² / 2a) / sqrt(2πa) — a Gaussian of variance a.
    case gaussian(width: Float)
    /// h = (1/a) / (1 + (πx/a)²) — the derivative of arctan, as in SpikingJelly's ATan.
    case arctan(width: Float)

    /// The reference code's surrogate: the rectangle of width 1.
    public static let `default` = Surrogate.rectangular(width: 1)

    /// The width parameter a.
    public var width: Float {
        switch self {
        case .rectangular(let a), .triangular(let a), .sigmoid(let a), .gaussian(let a), .arctan(let a): a
        }
    }

    /// The curve's name as used in specs, files and command lines.
    public var name: String {
        switch self {
        case .rectangular: "rectangular"
        case .triangular: "triangular"
        case .sigmoid: "sigmoid"
        case .gaussian: "gaussian"
        case .arctan: "arctan"
        }
    }

    /// The surrogate called `name` with width `width`, or nil for an unknown name.
    public init?(name: String, width: Float) {
        switch name.lowercased() {
        case "rectangular", "rectangle": self = .rectangular(width: width)
        case "triangular", "triangle", "polynomial": self = .triangular(width: width)
        case "sigmoid": self = .sigmoid(width: width)
        case "gaussian": self = .gaussian(width: width)
        case "arctan", "atan": self = .arctan(width: width)
        default: return nil
        }
    }

    /// h at x = u - V.
    @inlinable
    public func derivative(at x: Float) -> Float {
        switch self {
        case .rectangular(let a):
            return abs(x) < a / 2 ? 1 / a : 0
        case .triangular(let a):
            return Swift.max(0, 1 - 2 * abs(x) / a) * 2 / a
        case .sigmoid(let a):
            let s = 1 / (1 + expf(-x / a))
            return s * (1 - s) / a
        case .gaussian(let a):
            return expf(-x * x / (2 * a)) / (2 * Float.pi * a).squareRoot()
        case .arctan(let a):
            let z = Float.pi * x / a
            return 1 / (a * (1 + z * z))
        }
    }
}
