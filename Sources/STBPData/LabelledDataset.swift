import STBPTensor

/// How samples of a data set are laid out, which decides the layout of a batch.
public enum SampleLayout: Sendable, Hashable {
    /// Static images: a sample is `[C, H, W]`, a batch `[N, C, H, W]`.
    case image
    /// Event frames: a sample is `[T, 2, H, W]`, a batch is time-major `[T, N, 2, H, W]`.
    case eventFrames
}

/// A finite, indexable set of labelled samples that `BatchLoader` turns into batches.
///
/// Conforming types are values that can be shared with the loader's background thread
/// (`Sendable`). `sample(at:using:)` must be a pure function of the index and the generator:
/// the loader hands each sample a generator derived from (seed, epoch, index), so random
/// augmentation is reproducible whatever the batch size, prefetching or resume point.
public protocol LabelledDataset: Sendable {
    /// The number of samples.
    var count: Int { get }
    /// The shape of one sample: `[C, H, W]` for images, `[T, 2, H, W]` for event frames.
    var sampleShape: [Int] { get }
    /// Whether samples are images or event frames.
    var layout: SampleLayout { get }
    /// The name of each class; labels run over `0..<classNames.count`.
    var classNames: [String] { get }
    /// The sample at `index` (shape `sampleShape`) and its label; `generator` drives any random
    /// augmentation. Throws a `DataError` when the sample's file is bad.
    func sample(at index: Int, using generator: inout SeededGenerator) throws -> (input: Tensor, label: Int)
}

extension LabelledDataset {
    /// The number of classes.
    public var classCount: Int { classNames.count }

    /// The sample at `index` with a fixed generator (deterministic; for evaluation and inspection).
    public func sample(at index: Int) throws -> (input: Tensor, label: Int) {
        var generator = SeededGenerator(seed: 0)
        return try sample(at: index, using: &generator)
    }
}
