import STBPAutodiff
import STBPTensor
import Testing

/// Central-difference checks of every differentiable primitive on small random inputs.
@Suite struct GradientCheckTests {
    static let tolerance: Float = 2e-3

    /// Random inputs of the given shapes, kept away from zero where a division needs it.
    func inputs(_ shapes: [[Int]], seed: UInt64, awayFromZero: Bool = false) -> [Tensor] {
        var g = SeededGenerator(seed: seed)
        return shapes.map { shape in
            let t = Tensor.normal(shape, using: &g)
            return awayFromZero ? t.map { $0 + ($0 < 0 ? -1 : 1) } : t
        }
    }

    /// Projects an output onto fixed random weights so every element's gradient is exercised.
    func project(_ v: Variable, seed: UInt64 = 77) -> Variable {
        var g = SeededGenerator(seed: seed)
        return (v * Variable(Tensor.normal(v.shape, using: &g))).sum()
    }

    func expectPasses(
        _ shapes: [[Int]], seed: UInt64 = 1, awayFromZero: Bool = false, _ f: @escaping ([Variable]) -> Variable
    ) {
        let reports = GradientCheck.check(inputs: inputs(shapes, seed: seed, awayFromZero: awayFromZero), step: 1e-2) {
            project(f($0))
        }
        for report in reports { #expect(report.worstError < Self.tolerance, "\(report)") }
    }

    @Test func addition() { expectPasses([[2, 3], [2, 3]]) { $0[0] + $0[1] } }
    @Test func additionBroadcastsARow() { expectPasses([[2, 3], [3]]) { $0[0] + $0[1] } }
    @Test func subtractionBroadcastsAColumn() { expectPasses([[2, 3], [2, 1]]) { $0[0] - $0[1] } }
    @Test func multiplicationBroadcastsBothWays() { expectPasses([[4, 1, 3], [2, 1]]) { $0[0] * $0[1] } }
    @Test func division() { expectPasses([[2, 3], [1, 3]], awayFromZero: true) { $0[0] / $0[1] } }
    @Test func scalarForms() {
        expectPasses([[3, 2]], awayFromZero: true) { v in
            let x = v[0]
            return ((x + 2) * 3 - 1) / 2 + (1 - x) + 2 / x - x
        }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matrixProduct(ta: Bool, tb: Bool) {
        expectPasses([ta ? [4, 3] : [3, 4], tb ? [2, 4] : [4, 2]]) {
            Variable.matmul($0[0], $0[1], transposeA: ta, transposeB: tb)
        }
    }

    @Test func denseLayer() {
        expectPasses([[3, 5], [4, 5], [4]]) { Variable.dense($0[0], weight: $0[1], bias: $0[2]) }
    }

    @Test(arguments: [(1, 0), (1, 1), (2, 1), (2, 2)])
    func convolution(stride: Int, padding: Int) {
        expectPasses([[2, 3, 5, 6], [4, 3, 3, 3], [4]]) {
            Variable.conv2d($0[0], weight: $0[1], bias: $0[2], stride: stride, padding: padding)
        }
    }

    @Test(arguments: [(2, 2), (3, 2), (2, 1)])
    func averagePooling(kernel: Int, stride: Int) {
        expectPasses([[2, 3, 6, 5]]) { $0[0].averagePooled(kernel: kernel, stride: stride) }
    }

    @Test func reshapeAndFlatten() { expectPasses([[2, 3, 4]]) { $0[0].reshaped([4, -1]).flattened() } }
    @Test func indexingAndStacking() {
        expectPasses([[3, 2, 2]]) { v in Variable.stacked([v[0][2], v[0][0], v[0][2]]) }
    }
    @Test func repetitionAlongANewAxis() { expectPasses([[2, 3]]) { $0[0].repeated(4) } }
    @Test func sumsAndMeans() {
        expectPasses([[2, 3, 4]]) { v in
            let x = v[0]
            return x.sum(alongAxis: 1).mean(alongAxis: 0) * x.sum() + x.mean()
        }
    }

    @Test func meanSquaredError() {
        var g = SeededGenerator(seed: 9)
        let target = Tensor.uniform([3, 4], using: &g)
        expectPasses([[3, 4]]) { Variable.meanSquaredError($0[0], target) }
    }

    @Test func softmaxCrossEntropy() {
        expectPasses([[3, 5]]) { Variable.softmaxCrossEntropy($0[0] * 3, labels: [4, 0, 2]) }
    }
}
