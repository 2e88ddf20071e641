import STBPTensor
import Testing

@testable import STBPNetwork

/// The LIF reverse pass's C loop for the rectangular surrogate against the generic Swift loop
/// every other curve runs, fed the same rectangle: the two must agree bit for bit.
@Suite struct LIFKernelTests {
    /// h(u) = (1/a) · 1[|u - V| < a/2], as `RectangularCurve`, but a type of its own: `reverse`
    /// then runs its Swift loop instead of the C one.
    struct SwiftRectangle: SurrogateCurve {
        let threshold: Float, width: Float
        func callAsFunction(_ u: Float) -> Float { abs(u - threshold) < width / 2 ? 1 / width : 0 }
    }

    struct Case: Sendable, CustomStringConvertible {
        let size: Int, constant: Bool, detachReset: Bool
        var description: String { "\(size) neurons, constant \(constant), detachReset \(detachReset)" }
    }

    // Sizes below one vector, with a vector tail, and across blocks of `LIFKernel.block`.
    static let cases = [
        Case(size: 7, constant: false, detachReset: false), Case(size: 53, constant: false, detachReset: true),
        Case(size: 2 * LIFKernel.block + 37, constant: false, detachReset: false),
        Case(size: LIFKernel.block + 5, constant: true, detachReset: false),
    ]

    /// dL/dI of `LIFKernel.reverse` with `curve`.
    func gradient<H: SurrogateCurve>(
        _ curve: H, _ neuron: LIFNeuron, _ c: Case, current: Tensor, upstream: Tensor, steps: Int
    ) -> [Float] {
        var result = [Float](repeating: .nan, count: c.constant ? c.size : steps * c.size)
        current.withUnsafeBufferPointer { current in
            upstream.withUnsafeBufferPointer { upstream in
                result.withUnsafeMutableBufferPointer { out in
                    LIFKernel.reverse(
                        LIFKernel.ReverseArguments(
                            neuron: neuron, current: current.baseAddress!, constant: c.constant, timeSteps: steps,
                            size: c.size, pooling: nil, gradient: upstream.baseAddress!, gradCurrent: out.baseAddress!),
                        curve)
                }
            }
        }
        return result
    }

    @Test(arguments: cases)
    func theVectorisedRectangleEqualsTheGenericLoop(_ c: Case) {
        var g = SeededGenerator(seed: UInt64(c.size))
        let steps = 6
        let neuron = LIFNeuron(decay: 0.3, threshold: 0.4, detachReset: c.detachReset)
        let current = Tensor.normal(
            c.constant ? [c.size] : [steps, c.size], mean: 0.4, standardDeviation: 0.6, using: &g)
        let upstream = Tensor.normal([steps, c.size], using: &g)
        let vectorised = gradient(
            RectangularCurve(threshold: 0.4, width: 1), neuron, c, current: current, upstream: upstream, steps: steps)
        let generic = gradient(
            SwiftRectangle(threshold: 0.4, width: 1), neuron, c, current: current, upstream: upstream, steps: steps)
        #expect(vectorised == generic)
        #expect(vectorised.contains { $0 != 0 })
    }
}
