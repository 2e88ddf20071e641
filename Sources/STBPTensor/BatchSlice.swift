/// The samples a process holds of a global batch split across processes (data parallelism):
/// rows `offset..<offset + count` of a batch of `globalCount` samples.
///
/// Random draws per sample (dropout masks, Bernoulli coding) are made for the whole global
/// batch and this slice's rows kept, so that each sample draws the same numbers however the
/// batch is split: a run on R processes draws what a single process draws.
public struct BatchSlice: Sendable, Hashable, Codable {
    /// The global batch position of the slice's first sample.
    public var offset: Int
    /// The slice's number of samples.
    public var count: Int
    /// The number of samples in the global batch.
    public var globalCount: Int

    /// Rows `offset..<offset + count` of a global batch of `globalCount`.
    public init(offset: Int, count: Int, globalCount: Int) {
        precondition(
            offset >= 0 && count >= 0 && offset + count <= globalCount,
            "A batch slice \(offset)..<\(offset + count) must lie in a batch of \(globalCount).")
        self.offset = offset
        self.count = count
        self.globalCount = globalCount
    }

    /// The slice of process `rank` of `ranks` in a global batch of `globalCount`, in rank order:
    /// the first `globalCount % ranks` ranks take one sample more than the others.
    public init(rank: Int, of ranks: Int, globalCount: Int) {
        precondition(ranks > 0 && rank >= 0 && rank < ranks, "Rank \(rank) is outside 0..<\(ranks).")
        let (base, extra) = globalCount.quotientAndRemainder(dividingBy: ranks)
        self.init(
            offset: rank * base + min(rank, extra), count: base + (rank < extra ? 1 : 0), globalCount: globalCount)
    }

    /// The rows of the global batch the slice holds.
    public var range: Range<Int> { offset..<offset + count }
}

extension Tensor {
    /// Bernoulli draws (1 with probability `probability`, else 0) of `shape`, whose axis
    /// `batchAxis` runs over `slice`'s samples: the draws of the global batch's shape, in the same
    /// order as `bernoulli(_:probability:using:)` makes them, of which the slice's rows are kept.
    public static func bernoulli(
        _ shape: [Int], probability: Float, batchAxis: Int, slice: BatchSlice, using generator: inout SeededGenerator
    ) -> Tensor {
        precondition(
            shape[batchAxis] == slice.count,
            "Axis \(batchAxis) of \(shape) must hold the slice's \(slice.count) samples.")
        let outer = shape[..<batchAxis].reduce(1, *)
        let inner = shape[(batchAxis + 1)...].reduce(1, *)
        return Tensor(shape: shape) { out in
            var index = 0
            for _ in 0..<outer {
                generator.skipUnitFloats(slice.offset * inner)
                for _ in 0..<(slice.count * inner) {
                    out[index] = generator.nextUnitFloat() < probability ? 1 : 0
                    index += 1
                }
                generator.skipUnitFloats((slice.globalCount - slice.offset - slice.count) * inner)
            }
        }
    }

    /// One Bernoulli draw per scalar of `probabilities` [slice.count, ...], the slice's rows of a
    /// global batch: the draws `bernoulli(_:using:)` makes for the global batch, the slice's kept.
    public static func bernoulli(
        _ probabilities: Tensor, slice: BatchSlice, using generator: inout SeededGenerator
    ) -> Tensor {
        precondition(
            probabilities.shape.first == slice.count, "The probabilities' first axis must hold the slice's samples.")
        let inner = probabilities.shape.dropFirst().reduce(1, *)
        generator.skipUnitFloats(slice.offset * inner)
        let draws = probabilities.map { generator.nextUnitFloat() < $0 ? 1 : 0 }
        generator.skipUnitFloats((slice.globalCount - slice.offset - slice.count) * inner)
        return draws
    }
}

extension SeededGenerator {
    /// Advances past `count` draws of `nextUnitFloat` (one 64-bit step each).
    mutating func skipUnitFloats(_ count: Int) {
        for _ in 0..<count { _ = next() }
    }
}
