import STBPTensor
import Testing

/// Slices of a global batch split across processes, and random draws that do not depend on the
/// split.
@Suite struct BatchSliceTests {
    @Test func ranksTakeConsecutiveSlicesTheFirstOnesOneSampleMore() {
        let slices = (0..<3).map { BatchSlice(rank: $0, of: 3, globalCount: 8) }
        #expect(slices.map(\.range) == [0..<3, 3..<6, 6..<8])
        #expect(BatchSlice(rank: 2, of: 3, globalCount: 1).count == 0)
    }

    /// Each rank's draws, put together in rank order, are the single-process draws of the whole batch.
    @Test func slicedDrawsPutTogetherAreTheGlobalBatchsDraws() {
        let (ranks, batch) = (3, 7)
        // Fixed probability, batch on axis 1 of [T, N, F] (per-step dropout masks).
        var generator = SeededGenerator(seed: 11)
        let whole = Tensor.bernoulli([2, batch, 5], probability: 0.5, using: &generator)
        let parts = (0..<ranks).map { rank in
            var generator = SeededGenerator(seed: 11)
            let slice = BatchSlice(rank: rank, of: ranks, globalCount: batch)
            return Tensor.bernoulli(
                [2, slice.count, 5], probability: 0.5, batchAxis: 1, slice: slice, using: &generator)
        }
        for t in 0..<2 {
            let joined = parts.flatMap { part in
                Array(part.scalars[(t * part.shape[1] * 5)..<((t + 1) * part.shape[1] * 5)])
            }
            #expect(joined == Array(whole.scalars[(t * batch * 5)..<((t + 1) * batch * 5)]))
        }
        // Per-element probabilities [N, F] (Bernoulli coding).
        let probabilities = Tensor(shape: [batch, 4], scalars: (0..<(batch * 4)).map { Float($0 % 5) / 5 })
        var reference = SeededGenerator(seed: 3)
        let all = Tensor.bernoulli(probabilities, using: &reference)
        var joined: [Float] = []
        for rank in 0..<ranks {
            var generator = SeededGenerator(seed: 3)
            let slice = BatchSlice(rank: rank, of: ranks, globalCount: batch)
            let rows = Tensor(
                shape: [slice.count, 4],
                scalars: Array(probabilities.scalars[(slice.offset * 4)..<(slice.range.upperBound * 4)]))
            joined += Tensor.bernoulli(rows, slice: slice, using: &generator).scalars
            // Every rank's generator ends where the global draw leaves it.
            var after = reference
            #expect(generator.next() == after.next())
        }
        #expect(joined == all.scalars)
    }
}
