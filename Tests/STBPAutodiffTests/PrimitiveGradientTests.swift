import STBPAutodiff
import STBPTensor
import Testing

/// Central-difference checks of the elementwise primitives, with checks of their
/// values against direct references.
@Suite struct PrimitiveGradientTests {
    static let tolerance: Float = 2e-3
    static let step: Float = 1e-2

    /// Normal scalars of `shape`.
    func normal(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor.normal(shape, using: &g)
    }

    /// Uniform scalars of `shape` in [low, high).
    func uniform(_ shape: [Int], _ low: Float, _ high: Float, seed: UInt64) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor.uniform(shape, low: low, high: high, using: &g)
    }

    /// Moves every scalar within `margin` of one of `kinks` to `margin` away from it, so central
    /// differences never straddle a kink.
    func keptAway(_ t: Tensor, from kinks: [Float], margin: Float = 0.1) -> Tensor {
        t.map { x in
            var x = x
            for kink in kinks where Swift.abs(x - kink) < margin { x = kink + (x < kink ? -margin : margin) }
            return x
        }
    }

    /// Sums the output weighted by fixed normal weights, so every scalar's gradient is exercised.
    func project(_ v: Variable, seed: UInt64 = 77) -> Variable {
        (v * Variable(normal(v.shape, seed: seed))).sum()
    }

    func expectPasses(_ inputs: [Tensor], step: Float = step, _ f: @escaping ([Variable]) -> Variable) {
        let reports = GradientCheck.check(inputs: inputs, step: step) { project(f($0)) }
        for report in reports { #expect(report.worstError < Self.tolerance, "\(report)") }
    }

    /// The gradient of the projection of `f(x)`.
    func gradient(_ x: Tensor, seed: UInt64 = 77, _ f: (Variable) -> Variable) -> Tensor {
        let tape = Tape()
        let leaf = tape.variable(x)
        return tape.backward(project(f(leaf), seed: seed))[leaf]
    }

    func expectClose(
        _ a: Tensor, _ b: Tensor, _ tolerance: Float = 1e-5, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(a.shape == b.shape, sourceLocation: sourceLocation)
        let difference = a.relativeDifference(to: b)
        #expect(difference <= tolerance, "\(a) vs \(b)", sourceLocation: sourceLocation)
    }

    // MARK: Elementwise functions

    @Test func exponential() { expectPasses([normal([2, 3], seed: 1)]) { $0[0].exp() } }
    @Test func logarithm() { expectPasses([uniform([2, 3], 0.5, 2, seed: 2)]) { $0[0].log() } }
    @Test func sigmoid() { expectPasses([normal([2, 3], seed: 3) * 2]) { $0[0].sigmoid() } }
    @Test func hyperbolicTangent() { expectPasses([normal([2, 3], seed: 4)]) { $0[0].tanh() } }
    @Test func rectifiedLinear() {
        expectPasses([keptAway(normal([3, 4], seed: 5), from: [0])]) { $0[0].relu() }
    }
    @Test func absoluteValue() {
        expectPasses([keptAway(normal([3, 4], seed: 6), from: [0])]) { $0[0].abs() }
    }
    @Test(arguments: [3, 2, 1.5, 0.5, -1, -2.5] as [Float])
    func powerOfAPositiveBase(exponent: Float) {
        expectPasses([uniform([2, 3], 0.8, 2, seed: 7)]) { $0[0].pow(exponent) }
    }
    @Test(arguments: [3, 2, -2] as [Float])
    func wholePowerOfAnyBase(exponent: Float) {
        expectPasses([keptAway(normal([2, 3], seed: 8), from: [0], margin: 0.5)]) { $0[0].pow(exponent) }
    }
    @Test func clamping() {
        let x = keptAway(uniform([4, 5], -1, 1, seed: 9), from: [-0.5, 0.25])
        #expect(x.scalars.contains { $0 < -0.5 } && x.scalars.contains { $0 > 0.25 })
        #expect(x.scalars.contains { $0 > -0.5 && $0 < 0.25 })
        expectPasses([x]) { $0[0].clamped(to: -0.5...0.25) }
    }

    @Test func elementwiseValuesMatchReferences() {
        let x = normal([3, 4], seed: 10)
        let v = Variable(x)
        let positive = Variable(uniform([3, 4], 0.5, 3, seed: 11))
        expectClose(positive.log().exp().value, positive.value)
        expectClose(v.exp().log().value, x)
        expectClose(v.sigmoid().value, (1 / (1 + (-v).exp())).value)
        expectClose(v.tanh().value, (2 * (2 * v).sigmoid() - 1).value)
        expectClose(v.relu().value, ((v + v.abs()) * 0.5).value)
        expectClose(v.abs().value, x.map { $0 < 0 ? -$0 : $0 })
        expectClose(v.pow(2).value, (v * v).value)
        expectClose(v.pow(3).value, (v * v * v).value)
        expectClose(positive.pow(0.5).value, positive.value.map { $0.squareRoot() })
        expectClose(positive.pow(-1).value, (1 / positive).value)
        #expect(v.clamped(to: -0.5...0.25).value == x.map { $0 < -0.5 ? -0.5 : ($0 > 0.25 ? 0.25 : $0) })
    }

    @Test func sigmoidSaturatesWithoutNaN() {
        let x = Tensor([-200, -100, 0, 100, 200])
        #expect(Variable(x).sigmoid().value.scalars == [0, 0, 0.5, 1, 1])
        let g = gradient(x) { $0.sigmoid() }
        #expect(g.scalars.allSatisfy { $0.isFinite })
        #expect(g.scalars[0] == 0 && g.scalars[4] == 0 && g.scalars[2] != 0)
    }

    @Test func gradientsAtTheKinks() {
        let x = Tensor([-1, 0, 2])
        func slopes(_ f: (Variable) -> Variable) -> [Float] {
            let tape = Tape()
            let leaf = tape.variable(x)
            return tape.backward(f(leaf).sum())[leaf].scalars
        }
        #expect(slopes { $0.relu() } == [0, 0, 1])
        #expect(slopes { $0.abs() } == [-1, 0, 1])
        // pow(0) is constant: zero gradient, not 0 * 0⁻¹ = NaN at 0.
        #expect(slopes { $0.pow(0) } == [0, 0, 0])
        #expect(slopes { $0.pow(2) } == [-2, 0, 4])
    }

    @Test func clampPassesTheGradientOnlyStrictlyInside() {
        let x = Tensor([-2, -1, -0.5, 0, 0.5, 1, 3])
        let tape = Tape()
        let leaf = tape.variable(x)
        let clamped = leaf.clamped(to: -1...1)
        #expect(clamped.value.scalars == [-1, -1, -0.5, 0, 0.5, 1, 1])
        #expect(tape.backward(clamped.sum())[leaf].scalars == [0, 0, 1, 1, 1, 0, 0])
        // With an unbounded top, clamping at 0 is relu, gradient included.
        let y = normal([7], seed: 12).map { $0 == 0 ? 1 : $0 } * Tensor([1, 1, 1, 1, 1, 1, 0])
        expectClose(gradient(y) { $0.clamped(to: 0...Float.infinity) }, gradient(y) { $0.relu() }, 0)
    }
}
