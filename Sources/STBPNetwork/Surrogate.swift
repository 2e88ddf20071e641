#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The spike of a neuron and the surrogate derivative that stands in for its derivative in
/// backward (the "pseudo-derivative" of STBP).
///
/// With x = u - V (membrane potential minus threshold), the forward pass fires o = `spike(at: x)`,
/// by default the Heaviside step 1[x > 0], whose derivative is zero almost everywhere; the
/// backward pass uses h(x) = `derivative(at: x)` instead, a bump of width a around 0 with area 1.
///
/// A surrogate of your own needs a name, a width and h:
///
///     struct FastSigmoid: Surrogate {
///         var width: Float = 0.5
///         var name: String { "fast-sigmoid" }
///         func derivative(at x: Float) -> Float {
///             let d = 1 + abs(x) / width
///             return 1 / (2 * width * d * d)
///         }
///     }
///
/// It runs on the LIF kernels' generic vectorised path: `derivatives(of:threshold:into:)`'s
/// default evaluates h in a loop that the compiler specialises for the conforming type. The
/// built-in curves are values of this protocol too (`.rectangular(width:)`, `.triangular`,
/// `.sigmoid`, `.gaussian`, `.arctan`); the rectangle also brings the LIF reverse step in C.
public protocol Surrogate: Sendable {
    /// The curve's name, as written in configurations and on command lines.
    var name: String { get }
    /// The width parameter a.
    var width: Float { get }
    /// The spike's forward o = f(x) at x = u - V. The default is the Heaviside step 1[x > 0].
    func spike(at x: Float) -> Float
    /// Whether `spike` is the Heaviside step 1[x > 0] (the default: true). Only then do LIF
    /// neurons run their fused kernels, which recover o[t-1] as u[t-1] > V; a surrogate with
    /// another forward returns false and its neurons run step by step from tape primitives.
    var firesBinarySpikes: Bool { get }
    /// The surrogate derivative h(x) at x = u - V.
    func derivative(at x: Float) -> Float
    /// h(u[i] - threshold) for the `potentials.count` potentials into `h` (the same count): the
    /// inner loop of the LIF reverse pass. The default evaluates `derivative(at:)` in a loop.
    func derivatives(
        of potentials: UnsafeBufferPointer<Float>, threshold: Float, into h: UnsafeMutableBufferPointer<Float>)
    /// A fused kernel for the whole LIF reverse step, if the curve has one (the rectangle's, in
    /// C). The default is nil: the reverse pass then calls `derivatives(of:threshold:into:)`.
    var lifReverseKernel: LIFReverseKernel? { get }
}

extension Surrogate {
    @inlinable public func spike(at x: Float) -> Float { x > 0 ? 1 : 0 }

    @inlinable public var firesBinarySpikes: Bool { true }

    @inlinable public func derivatives(
        of potentials: UnsafeBufferPointer<Float>, threshold: Float, into h: UnsafeMutableBufferPointer<Float>
    ) {
        for i in potentials.indices { h[i] = derivative(at: potentials[i] - threshold) }
    }

    @inlinable public var lifReverseKernel: LIFReverseKernel? { nil }

    /// Whether two surrogates are the same curve: the same name and width.
    public func isSame(as other: any Surrogate) -> Bool { name == other.name && width == other.width }
}

/// A fused LIF reverse step that a built-in surrogate brings (see `Surrogate.lifReverseKernel`).
/// Only the package makes them; a surrogate of your own keeps the default, nil.
public struct LIFReverseKernel: Sendable {
    package enum Kind: Sendable {
        /// `stbp_lif_delta_rectangular` with this width.
        case rectangle(width: Float)
    }

    package let kind: Kind

    package init(_ kind: Kind) { self.kind = kind }
}

/// h = (1/a) · 1[|x| < a/2]: the rectangle of the reference code (a = 1: half-width 0.5, height 1).
public struct RectangularSurrogate: Surrogate, Hashable {
    public var width: Float
    /// The rectangle of width `width`.
    public init(width: Float = 1) { self.width = width }
    public var name: String { "rectangular" }
    @inlinable public func derivative(at x: Float) -> Float { abs(x) < width / 2 ? 1 / width : 0 }
    public var lifReverseKernel: LIFReverseKernel? { LIFReverseKernel(.rectangle(width: width)) }
}

/// h = (2/a) · max(0, 1 - 2|x|/a): STBP's polynomial curve, a triangle of base a.
public struct TriangularSurrogate: Surrogate, Hashable {
    public var width: Float
    /// The triangle of base `width`.
    public init(width: Float = 1) { self.width = width }
    public var name: String { "triangular" }
    @inlinable public func derivative(at x: Float) -> Float { Swift.max(0, 1 - 2 * abs(x) / width) * 2 / width }
}

/// h = (1/a) · s(1 - s), s = sigmoid(x/a): the derivative of a sigmoid of temperature a.
public struct SigmoidSurrogate: Surrogate, Hashable {
    public var width: Float
    /// The sigmoid of temperature `width`.
    public init(width: Float = 0.25) { self.width = width }
    public var name: String { "sigmoid" }
    @inlinable public func derivative(at x: Float) -> Float {
        let s = 1 / (1 + expf(-x / width))
        return s * (1 - s) / width
    }
}

/// h = exp(-x² / 2a) / sqrt(2πa): a Gaussian of variance a.
public struct GaussianSurrogate: Surrogate, Hashable {
    public var width: Float
    /// The Gaussian of variance `width`.
    public init(width: Float = 0.25) { self.width = width }
    public var name: String { "gaussian" }
    @inlinable public func derivative(at x: Float) -> Float {
        expf(-x * x / (2 * width)) / (2 * Float.pi * width).squareRoot()
    }
}

/// h = (1/a) / (1 + (πx/a)²): the derivative of arctan, as in SpikingJelly's ATan.
public struct ArctanSurrogate: Surrogate, Hashable {
    public var width: Float
    /// The arctan curve of width `width`.
    public init(width: Float = 1) { self.width = width }
    public var name: String { "arctan" }
    @inlinable public func derivative(at x: Float) -> Float {
        let z = Float.pi * x / width
        return 1 / (width * (1 + z * z))
    }
}

extension Surrogate where Self == RectangularSurrogate {
    /// The rectangle (1/a) · 1[|x| < a/2].
    public static func rectangular(width: Float) -> RectangularSurrogate { RectangularSurrogate(width: width) }
    /// The reference code's surrogate: the rectangle of width 1.
    public static var `default`: RectangularSurrogate { RectangularSurrogate(width: 1) }
}

extension Surrogate where Self == TriangularSurrogate {
    /// The triangle (2/a) · max(0, 1 - 2|x|/a).
    public static func triangular(width: Float) -> TriangularSurrogate { TriangularSurrogate(width: width) }
}

extension Surrogate where Self == SigmoidSurrogate {
    /// The sigmoid's derivative (1/a) · s(1 - s).
    public static func sigmoid(width: Float) -> SigmoidSurrogate { SigmoidSurrogate(width: width) }
}

extension Surrogate where Self == GaussianSurrogate {
    /// The Gaussian exp(-x² / 2a) / sqrt(2πa).
    public static func gaussian(width: Float) -> GaussianSurrogate { GaussianSurrogate(width: width) }
}

extension Surrogate where Self == ArctanSurrogate {
    /// The arctan curve (1/a) / (1 + (πx/a)²).
    public static func arctan(width: Float) -> ArctanSurrogate { ArctanSurrogate(width: width) }
}

/// The built-in surrogates by name, for configurations and command lines.
public enum SurrogateCatalog {
    /// The names `surrogate(named:width:)` knows, in the order the tool lists them.
    public static let names = ["rectangular", "triangular", "sigmoid", "gaussian", "arctan"]

    /// The built-in surrogate called `name` (or an alias: rectangle, triangle, polynomial, atan)
    /// with width `width`, or nil for an unknown name.
    public static func surrogate(named name: String, width: Float) -> (any Surrogate)? {
        switch name.lowercased() {
        case "rectangular", "rectangle": RectangularSurrogate(width: width)
        case "triangular", "triangle", "polynomial": TriangularSurrogate(width: width)
        case "sigmoid": SigmoidSurrogate(width: width)
        case "gaussian": GaussianSurrogate(width: width)
        case "arctan", "atan": ArctanSurrogate(width: width)
        default: nil
        }
    }
}
