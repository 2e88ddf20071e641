import STBPTensor
import Testing

@testable import STBPNetwork

/// The LIF reverse pass's C loop for the rectangular surrogate against the generic Swift loop
/// that every other surrogate runs, fed the same rectangle: the two must agree bit for bit.
@Suite struct LIFKernelTests {
    /// h(x) = (1/a) · 1[|x| < a/2], as `RectangularSurrogate`, but a surrogate of its own: it
    /// has no fused kernel, so `reverse` runs the generic Swift path.
    struct SwiftRectangle: Surrogate {
        let width: Float
        var name: String { "swift-rectangle" }
        func derivative(at x: Float) -> Float { abs(x) < width / 2 ? 1 / width : 0 }
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
    func gradient(_ neuron: LIF, _ c: Case, current: Tensor, upstream: Tensor, steps: Int) -> [Float] {
        var result = [Float](repeating: .nan, count: c.constant ? c.size : steps * c.size)
        current.withUnsafeBufferPointer { current in
            upstream.withUnsafeBufferPointer { upstream in
                result.withUnsafeMutableBufferPointer { out in
                    LIFKernel.reverse(
                        LIFKernel.ReverseArguments(
                            neuron: neuron, current: current.baseAddress!, constant: c.constant, timeSteps: steps,
                            size: c.size, pooling: nil, gradient: upstream.baseAddress!, gradCurrent: out.baseAddress!))
                }
            }
        }
        return result
    }

    @Test(arguments: cases)
    func theVectorisedRectangleEqualsTheGenericLoop(_ c: Case) {
        var g = SeededGenerator(seed: UInt64(c.size))
        let steps = 6
        var neuron = LIF(decay: 0.3, threshold: 0.4, detachReset: c.detachReset)
        let current = Tensor.normal(
            c.constant ? [c.size] : [steps, c.size], mean: 0.4, standardDeviation: 0.6, using: &g)
        let upstream = Tensor.normal([steps, c.size], using: &g)
        #expect(neuron.surrogate.lifReverseKernel != nil)
        let vectorised = gradient(neuron, c, current: current, upstream: upstream, steps: steps)
        neuron.surrogate = SwiftRectangle(width: 1)
        #expect(neuron.surrogate.lifReverseKernel == nil)
        let generic = gradient(neuron, c, current: current, upstream: upstream, steps: steps)
        #expect(vectorised == generic)
        #expect(vectorised.contains { $0 != 0 })
    }
}
