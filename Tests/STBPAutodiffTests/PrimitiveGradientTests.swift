import STBPAutodiff
import STBPTensor
import Testing

/// Central-difference checks of the elementwise and along-axis primitives, with checks of their
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

    // MARK: Along an axis

    @Test(arguments: [0, 1, 2])
    func softmax(axis: Int) { expectPasses([normal([2, 3, 4], seed: 20) * 2]) { $0[0].softmax(alongAxis: axis) } }

    @Test(arguments: [0, 1, 2])
    func logSoftmax(axis: Int) {
        expectPasses([normal([2, 3, 4], seed: 21) * 2]) { $0[0].logSoftmax(alongAxis: axis) }
    }

    @Test(arguments: [0, 1, 2])
    func softmaxValues(axis: Int) {
        let x = normal([2, 3, 4], seed: 22)
        let y = Variable(x).softmax(alongAxis: axis).value
        #expect(y.shape == x.shape)
        expectClose(
            y.sum(alongAxis: axis),
            Tensor(shape: y.shape.enumerated().filter { $0.offset != axis }.map(\.element), repeating: 1))
        // The direct formula is safe for these small inputs.
        var kept = x.shape
        kept[axis] = 1
        let exponentials = Variable(x).exp().value
        expectClose(y, exponentials / exponentials.sum(alongAxis: axis).reshaped(kept))
        expectClose(Variable(x).logSoftmax(alongAxis: axis).value, Variable(y).log().value)
    }

    @Test func softmaxOfLargeInputs() {
        // Values 1000 + k/64 and a step of 1/64 are exact in Float, so the central differences are
        // as accurate as near 0; exp(1000) would overflow without subtracting the maximum.
        let small = normal([3, 4], seed: 23).map { ($0 * 64).rounded() / 64 }
        let large = small + 1000
        let y = Variable(large).softmax(alongAxis: 1).value
        #expect(y.scalars.allSatisfy { $0.isFinite })
        expectClose(y, Variable(small).softmax(alongAxis: 1).value)
        expectPasses([large], step: 1.0 / 64) { $0[0].softmax(alongAxis: 1) }
        expectPasses([large], step: 1.0 / 64) { $0[0].logSoftmax(alongAxis: 1) }
        // Softmax does not change under a shift, and neither does its gradient.
        let g = gradient(large) { $0.softmax(alongAxis: 1) }
        #expect(g.scalars.allSatisfy { $0.isFinite })
        expectClose(g, gradient(small) { $0.softmax(alongAxis: 1) }, 1e-4)
        expectClose(
            gradient(large) { $0.logSoftmax(alongAxis: 1) }, gradient(small) { $0.logSoftmax(alongAxis: 1) }, 1e-4)
    }

    @Test func logSoftmaxAgreesWithSoftmaxCrossEntropy() {
        let logits = normal([3, 5], seed: 24)
        let labels = [4, 0, 2]
        var oneHot = Tensor(zeros: [3, 5])
        for (row, label) in labels.enumerated() { oneHot[row, label] = 1 }
        func viaLogSoftmax(_ v: Variable) -> Variable { -(v.logSoftmax(alongAxis: 1) * Variable(oneHot)).sum() / 3 }
        func fused(_ v: Variable) -> Variable { Variable.softmaxCrossEntropy(v, labels: labels) }
        expectClose(viaLogSoftmax(Variable(logits)).value, fused(Variable(logits)).value)
        let (tape1, tape2) = (Tape(), Tape())
        let (a, b) = (tape1.variable(logits), tape2.variable(logits))
        expectClose(tape1.backward(viaLogSoftmax(a))[a], tape2.backward(fused(b))[b])
    }

    /// The scalars 0, 0.1, 0.2, ... in a seeded order: distinct, 0.1 apart.
    func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = SeededGenerator(seed: seed)
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<count).map { Float($0) / 10 }.shuffled(using: &g))
    }

    @Test(arguments: [0, 1, 2])
    func maximum(axis: Int) { expectPasses([distinct([2, 3, 4], seed: 30)]) { $0[0].max(alongAxis: axis) } }

    @Test func maximumValuesAndTies() {
        let x = Tensor(shape: [2, 2, 3], scalars: [1, 5, 3, 4, 5, 0, 2, 2, 7, 2, 1, 7])
        #expect(Variable(x).max(alongAxis: 0).value == Tensor(shape: [2, 3], scalars: [2, 5, 7, 4, 5, 7]))
        #expect(Variable(x).max(alongAxis: 1).value == Tensor(shape: [2, 3], scalars: [4, 5, 3, 2, 2, 7]))
        #expect(Variable(x).max(alongAxis: 2).value == Tensor(shape: [2, 2], scalars: [5, 5, 7, 7]))
        // Each tie sends the whole gradient to its first maximal scalar.
        let tape = Tape()
        let leaf = tape.variable(x)
        let weights = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let g = tape.backward((leaf.max(alongAxis: 1) * Variable(weights)).sum())[leaf]
        #expect(g == Tensor(shape: [2, 2, 3], scalars: [0, 2, 3, 1, 0, 0, 4, 5, 6, 0, 0, 0]))
    }

    @Test func maximumPropagatesNaN() {
        let x = Tensor(shape: [2, 3], scalars: [1, .nan, 3, .nan, 2, .nan])
        #expect(Variable(x).max(alongAxis: 1).value.scalars.allSatisfy { $0.isNaN })
        #expect(x.argmax(alongAxis: 1) == [1, 0])
        #expect(x.argmax(alongAxis: 0) == [1, 0, 1])
        let tape = Tape()
        let leaf = tape.variable(x)
        #expect(tape.backward(leaf.max(alongAxis: 1).sum())[leaf].scalars == [0, 1, 0, 1, 0, 0])
    }

    @Test func concatenation() {
        let shapes = [[2, 1, 3], [2, 4, 3], [2, 2, 3]]
        let inputs = shapes.enumerated().map { normal($0.element, seed: 40 + UInt64($0.offset)) }
        let constant = Variable(normal([2, 2, 3], seed: 43))
        expectPasses(inputs) { v in Variable.concatenated([v[0], constant, v[1], v[2]], alongAxis: 1) }
        expectPasses(inputs.map { $0.reshaped([-1, 6]) }) { v in Variable.concatenated(v, alongAxis: 0) }
        expectPasses([inputs[1], inputs[1]]) { v in Variable.concatenated(v, alongAxis: 2).exp() }
    }

    @Test func concatenationValues() {
        let a = Tensor(shape: [2, 1, 2], scalars: [1, 2, 3, 4])
        let b = Tensor(shape: [2, 2, 2], scalars: [5, 6, 7, 8, 9, 10, 11, 12])
        let alongOne = Variable.concatenated([Variable(a), Variable(b)], alongAxis: 1).value
        #expect(alongOne == Tensor(shape: [2, 3, 2], scalars: [1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12]))
        let c = Tensor(shape: [2, 2, 1], scalars: [-1, -2, -3, -4])
        let alongTwo = Variable.concatenated([Variable(b), Variable(c)], alongAxis: 2).value
        #expect(alongTwo == Tensor(shape: [2, 2, 3], scalars: [5, 6, -1, 7, 8, -2, 9, 10, -3, 11, 12, -4]))
        let alongZero = Variable.concatenated([Variable(b), Variable(b.slice(0..<1))], alongAxis: 0).value
        #expect(alongZero == Tensor.concatenated([b, b.slice(0..<1)]))
        #expect(alongOne.slice(1..<3, alongAxis: 1) == b)
        #expect(alongTwo.slice(2..<3, alongAxis: 2) == c)
    }
}
