import STBPTensor
import Testing

@Suite struct RandomTests {
    @Test func theSameSeedGivesTheSameNumbers() {
        var g1 = SeededGenerator(seed: 42)
        var g2 = SeededGenerator(seed: 42)
        #expect(Tensor.normal([100], using: &g1) == Tensor.normal([100], using: &g2))
        var g3 = SeededGenerator(seed: 43)
        #expect(Tensor.normal([100], using: &g1) != Tensor.normal([100], using: &g3))
    }

    @Test func aRestoredStateContinuesTheStream() {
        var g = SeededGenerator(seed: 7)
        _ = g.next()
        var restored = SeededGenerator(state: g.state)
        #expect(g.next() == restored.next())
    }

    @Test func distributionsHaveTheirMoments() {
        var g = SeededGenerator(seed: 1)
        let u = Tensor.uniform([20000], low: -1, high: 3, using: &g)
        #expect(u.min() >= -1 && u.max() < 3)
        #expect(abs(u.mean() - 1) < 0.03)
        let n = Tensor.normal([20000], mean: 2, standardDeviation: 0.5, using: &g)
        let variance = ((n - 2) * (n - 2)).mean()
        #expect(abs(n.mean() - 2) < 0.02 && abs(variance - 0.25) < 0.01)
        let b = Tensor.bernoulli([20000], probability: 0.1, using: &g)
        #expect(Set(b.scalars).isSubset(of: [0, 1]) && abs(b.mean() - 0.1) < 0.01)
    }

    @Test func kaimingUniformMatchesPyTorchsDefaultBound() {
        var g = SeededGenerator(seed: 3)
        let w = Tensor.kaimingUniform([64, 16, 3, 3], fanIn: 144, using: &g)
        let bound: Float = 1 / 12
        #expect(w.max() < bound && w.min() >= -bound && w.max() > 0.95 * bound)
    }

    @Test(arguments: [[6, 4], [4, 6], [5, 2, 3]])
    func orthogonalMatricesHaveOrthonormalRowsOrColumns(shape: [Int]) {
        var g = SeededGenerator(seed: 5)
        let q = Tensor.orthogonal(shape, gain: 1, using: &g).reshaped([shape[0], -1])
        let rows = q.shape[0], columns = q.shape[1]
        let gram = rows <= columns ? Tensor.matmul(q, q, transposeB: true) : Tensor.matmul(q, q, transposeA: true)
        let size = min(rows, columns)
        for i in 0..<size {
            for j in 0..<size { #expect(abs(gram[i, j] - (i == j ? 1 : 0)) < 1e-5) }
        }
    }
}
