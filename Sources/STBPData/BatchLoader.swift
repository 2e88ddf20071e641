import Foundation
import STBPTensor

/// A batch of samples with their labels.
public struct Batch: Sendable {
    /// The inputs: `[N, C, H, W]` for static images, time-major `[T, N, 2, H, W]` for event frames.
    public var inputs: Tensor
    /// The label of each sample, in batch order.
    public var labels: [Int]
    /// The data set index of each sample, in batch order.
    public var indices: [Int]
    /// Which rows of the global batch these are, when the batch is split across processes
    /// (`BatchLoader.rank`); the whole batch otherwise.
    public var slice: BatchSlice

    /// A batch of `inputs` with `labels` drawn from data set `indices`, rows `slice` of a global
    /// batch (by default, the whole batch).
    public init(inputs: Tensor, labels: [Int], indices: [Int], slice: BatchSlice? = nil) {
        self.inputs = inputs
        self.labels = labels
        self.indices = indices
        self.slice = slice ?? BatchSlice(offset: 0, count: labels.count, globalCount: labels.count)
    }
}

/// Cuts a data set into batches, epoch by epoch: seeded shuffling, keep or drop the last
/// partial batch, and the next batches prepared on a background thread while the current one
/// trains.
///
/// Everything random depends only on `seed`, the epoch and the sample's index: the order of an
/// epoch is a permutation drawn from (seed, epoch), and each sample's augmentation from
/// (seed, epoch, index). So an epoch resumed at batch b (`epoch(_:startingAt:)`) yields the same
/// batches as an uninterrupted run, and prefetching never changes a batch.
public struct BatchLoader: Sendable {
    /// The samples.
    public let dataset: any LabelledDataset
    /// The number of samples per batch.
    public var batchSize: Int
    /// Whether each epoch visits the samples in a new seeded order (else in index order).
    public var shuffle: Bool
    /// Whether to drop the last batch when it has fewer than `batchSize` samples.
    public var dropLast: Bool
    /// The seed of the shuffling and augmentation streams.
    public var seed: UInt64
    /// How many batches are prepared ahead on a background thread (0 prepares each batch when
    /// it is asked for, on the calling thread).
    public var prefetch: Int
    /// With `ranks` > 1, each batch holds only the samples of process `rank` of the global batch
    /// (`BatchSlice(rank:of:globalCount:)`, rank order), possibly none: every process loads its
    /// own slice of the same global batches.
    public var rank = 0
    /// The number of processes the global batches are split across (1: not split).
    public var ranks = 1

    /// A loader of `dataset` in batches of `batchSize`.
    public init(
        dataset: any LabelledDataset, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false, seed: UInt64 = 0,
        prefetch: Int = 2
    ) {
        precondition(batchSize > 0, "The batch size must be positive, got \(batchSize).")
        precondition(prefetch >= 0, "The prefetch depth must be non-negative, got \(prefetch).")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.prefetch = prefetch
    }

    /// The number of batches in each epoch.
    public var batchCount: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The order in which `epoch` visits the data set's indices; depends only on (seed, epoch).
    public func order(epoch: Int) -> [Int] {
        guard shuffle else { return Array(0..<dataset.count) }
        var generator = SeededGenerator(seed: SeedMixing.mix(seed, UInt64(bitPattern: Int64(epoch)), 0x5348_5546))
        return SeedMixing.permutation(dataset.count, using: &generator)
    }

    /// Batch number `index` (in `0..<batchCount`) of `epoch`, prepared on the calling thread;
    /// rethrows a sample's `DataError`.
    public func batch(_ index: Int, epoch: Int) throws -> Batch {
        precondition(index >= 0 && index < batchCount, "Batch \(index) is outside 0..<\(batchCount).")
        return try batch(of: order(epoch: epoch), index: index, epoch: epoch)
    }

    /// Batch `index` of an epoch whose order is `order`.
    func batch(of order: [Int], index: Int, epoch: Int) throws -> Batch {
        let members = Array(order[(index * batchSize)..<min((index + 1) * batchSize, order.count)])
        guard ranks > 1 else { return try assemble(members, epoch: epoch) }
        precondition(rank >= 0 && rank < ranks, "Rank \(rank) is outside 0..<\(ranks).")
        let slice = BatchSlice(rank: rank, of: ranks, globalCount: members.count)
        guard slice.count > 0 else {
            let shape = dataset.sampleShape
            let inputs =
                dataset.layout == .image
                ? Tensor(zeros: [0] + shape) : Tensor(zeros: [shape.first ?? 1, 0] + shape.dropFirst())
            return Batch(inputs: inputs, labels: [], indices: [], slice: slice)
        }
        var batch = try assemble(Array(members[slice.range]), epoch: epoch)
        batch.slice = slice
        return batch
    }

    /// The samples `indices` as one batch, each augmented with the generator of (seed, epoch, index).
    package func assemble(_ indices: [Int], epoch: Int) throws -> Batch {
        precondition(!indices.isEmpty, "A batch needs at least one sample.")
        let shape = dataset.sampleShape
        let size = shape.reduce(1, *)
        let n = indices.count
        var labels: [Int] = []
        labels.reserveCapacity(n)
        var samples: [Tensor] = []
        samples.reserveCapacity(n)
        for index in indices {
            var generator = SeededGenerator(
                seed: SeedMixing.mix(seed, UInt64(bitPattern: Int64(epoch)), UInt64(index), 0x4155_474D))
            let (input, label) = try dataset.sample(at: index, using: &generator)
            precondition(input.shape == shape, "Sample \(index) has shape \(input.shape), the data set says \(shape).")
            samples.append(input)
            labels.append(label)
        }
        let inputs: Tensor
        switch dataset.layout {
        case .image:
            inputs = Tensor.stacked(samples)
        case .eventFrames:
            // [T, F] per sample -> [T, N, F]: frame t of sample i goes to row t * n + i.
            let steps = shape.first ?? 1
            let frame = steps > 0 ? size / steps : 0
            inputs = Tensor(shape: [steps, n] + Array(shape.dropFirst())) { out in
                guard let base = out.baseAddress else { return }
                for (i, sample) in samples.enumerated() {
                    sample.withUnsafeBufferPointer { source in
                        guard let from = source.baseAddress else { return }
                        for t in 0..<steps {
                            (base + (t * n + i) * frame).update(from: from + t * frame, count: frame)
                        }
                    }
                }
            }
        }
        return Batch(inputs: inputs, labels: labels, indices: indices)
    }

    /// The batches of `epoch` from batch `start` on (for a resumed run), prepared `prefetch`
    /// batches ahead on a background thread.
    public func epoch(_ epoch: Int, startingAt start: Int = 0) -> EpochBatches {
        precondition(
            start >= 0 && start <= batchCount, "Cannot start epoch \(epoch) at batch \(start) of \(batchCount).")
        return EpochBatches(loader: self, epoch: epoch, range: start..<batchCount)
    }
}

/// The batches of one epoch, in order: call `next()` until it returns nil.
///
/// With prefetching, a background thread prepares up to `prefetch` batches ahead; the thread
/// stops when the epoch ends, when a sample throws (the error is rethrown by `next()` at that
/// batch), or when this object is released.
public final class EpochBatches {
    /// The loader that made this epoch.
    public let loader: BatchLoader
    /// The epoch number.
    public let epoch: Int
    /// The batch numbers this sequence yields.
    public let range: Range<Int>
    private let order: [Int]
    private var position: Int
    private var failed = false
    private let pipeline: PrefetchPipeline?

    init(loader: BatchLoader, epoch: Int, range: Range<Int>) {
        self.loader = loader
        self.epoch = epoch
        self.range = range
        let order = loader.order(epoch: epoch)
        self.order = order
        self.position = range.lowerBound
        if loader.prefetch > 0 && !range.isEmpty {
            pipeline = PrefetchPipeline(capacity: loader.prefetch, range: range) { index in
                try loader.batch(of: order, index: index, epoch: epoch)
            }
        } else {
            pipeline = nil
        }
    }

    deinit {
        pipeline?.cancel()
    }

    /// The next batch, or nil at the end of the epoch; rethrows a sample's `DataError` (after
    /// which the epoch ends).
    public func next() throws -> Batch? {
        guard !failed, position < range.upperBound else { return nil }
        let index = position
        position += 1
        do {
            if let pipeline { return try pipeline.take().get() }
            return try loader.batch(of: order, index: index, epoch: epoch)
        } catch {
            failed = true
            pipeline?.cancel()
            throw error
        }
    }
}

/// A producer thread and a bounded queue of prepared batches, guarded by one condition lock.
///
/// The `@unchecked Sendable` conformance is sound because every stored variable is read and
/// written only while `condition` is locked.
final class PrefetchPipeline: @unchecked Sendable {
    private let condition = NSCondition()
    private var ready: [Result<Batch, any Error>] = []
    private var cancelled = false
    private let capacity: Int

    init(capacity: Int, range: Range<Int>, produce: @escaping @Sendable (Int) throws -> Batch) {
        self.capacity = capacity
        let thread = Thread { [self] in self.run(range: range, produce: produce) }
        thread.name = "stbp-batch-prefetch"
        thread.start()
    }

    /// Prepares the batches of `range` in order, waiting while the queue is full.
    private func run(range: Range<Int>, produce: (Int) throws -> Batch) {
        for index in range {
            condition.lock()
            while ready.count >= capacity && !cancelled { condition.wait() }
            let stop = cancelled
            condition.unlock()
            if stop { return }
            let result = Result { try produce(index) }
            condition.lock()
            ready.append(result)
            condition.broadcast()
            condition.unlock()
            if case .failure = result { return }
        }
    }

    /// The next prepared batch (or error), waiting for the producer when none is ready.
    func take() -> Result<Batch, any Error> {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty { condition.wait() }
        let result = ready.removeFirst()
        condition.broadcast()
        return result
    }

    /// Stops the producer after the batch it is preparing.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
