import STBPTensor

/// The samples of a data set at chosen indices, in that order: a view, nothing copied.
public struct DatasetSubset: LabelledDataset {
    /// The data set the samples come from.
    public let base: any LabelledDataset
    /// The index in `base` of each sample of the subset.
    public let indices: [Int]

    /// The samples of `base` at `indices` (each in `0..<base.count`).
    public init(_ base: any LabelledDataset, indices: [Int]) {
        precondition(
            indices.allSatisfy { (0..<base.count).contains($0) },
            "Subset indices must lie in 0..<\(base.count).")
        self.base = base
        self.indices = indices
    }

    public var count: Int { indices.count }
    public var sampleShape: [Int] { base.sampleShape }
    public var layout: SampleLayout { base.layout }
    public var classNames: [String] { base.classNames }

    public func sample(at index: Int, using generator: inout SeededGenerator) throws -> (input: Tensor, label: Int) {
        try base.sample(at: indices[index], using: &generator)
    }
}

extension LabelledDataset {
    /// Splits the samples in two at random: `count` held out (a validation set) and the rest,
    /// each in index order. The choice depends only on `seed` and the data set's size.
    ///
    ///     let (train, validation) = mnist.train.holdingOut(5000, seed: 0)
    public func holdingOut(_ count: Int, seed: UInt64) -> (rest: DatasetSubset, heldOut: DatasetSubset) {
        precondition((0...self.count).contains(count), "Cannot hold out \(count) of \(self.count) samples.")
        var generator = SeededGenerator(seed: SeedMixing.mix(seed, 0x5641_4C49_4441_5445))  // "VALIDATE"
        let order = SeedMixing.permutation(self.count, using: &generator)
        let heldOut = order.prefix(count).sorted()
        let rest = order.dropFirst(count).sorted()
        return (DatasetSubset(self, indices: rest), DatasetSubset(self, indices: heldOut))
    }
}
