import Foundation
import STBPData
import STBPTensor
import Testing

/// A tiny data set whose sample i is filled with i (plus an augmentation draw when `noisy`),
/// in either layout; sample `failing` throws.
private struct CountingDataset: LabelledDataset {
    var count: Int
    var layout: SampleLayout
    var noisy = false
    var failing: Int? = nil
    var sampleShape: [Int] { layout == .image ? [1, 2, 2] : [3, 2, 1, 1] }
    var classNames: [String] { ["even", "odd"] }

    func sample(at index: Int, using generator: inout SeededGenerator) throws -> (input: Tensor, label: Int) {
        if index == failing { throw DataError(.badEvent, path: "sample-\(index)", "broken on purpose") }
        let noise = noisy ? generator.nextUnitFloat() : 0
        let size = sampleShape.reduce(1, *)
        let input = Tensor(shape: sampleShape, scalars: (0..<size).map { Float(index) + Float($0) / 100 + noise })
        return (input, index % 2)
    }
}

/// All batches of an epoch.
private func collect(_ epoch: EpochBatches) throws -> [Batch] {
    var batches: [Batch] = []
    while let batch = try epoch.next() { batches.append(batch) }
    return batches
}

@Suite struct BatchLoaderTests {
    @Test func imageBatchesAreNCHWAndTheLastPartialBatchIsKeptOrDropped() throws {
        let data = CountingDataset(count: 10, layout: .image)
        let kept = try collect(BatchLoader(dataset: data, batchSize: 4, shuffle: false).epoch(0))
        #expect(kept.map(\.inputs.shape) == [[4, 1, 2, 2], [4, 1, 2, 2], [2, 1, 2, 2]])
        #expect(kept[2].indices == [8, 9] && kept[2].labels == [0, 1])
        #expect(kept[1].inputs[1, 0, 1, 0] == 5.02)
        let dropped = BatchLoader(dataset: data, batchSize: 4, shuffle: false, dropLast: true)
        let droppedBatches = try collect(dropped.epoch(0))
        #expect(dropped.batchCount == 2 && droppedBatches.count == 2)
    }

    @Test func eventBatchesAreTimeMajor() throws {
        let data = CountingDataset(count: 3, layout: .eventFrames)
        let batch = try BatchLoader(dataset: data, batchSize: 3, shuffle: false).batch(0, epoch: 0)
        #expect(batch.inputs.shape == [3, 3, 2, 1, 1])
        // Sample i at step t, channel c holds i + (t * 2 + c) / 100.
        for t in 0..<3 {
            for i in 0..<3 {
                for c in 0..<2 {
                    #expect(batch.inputs[t, i, c, 0, 0] == Float(i) + Float(t * 2 + c) / 100)
                }
            }
        }
    }

    @Test func shufflingDependsOnlyOnTheSeedAndTheEpoch() throws {
        let data = CountingDataset(count: 50, layout: .image)
        let loader = BatchLoader(dataset: data, batchSize: 7, seed: 42)
        #expect(loader.order(epoch: 3) == BatchLoader(dataset: data, batchSize: 5, seed: 42).order(epoch: 3))
        #expect(loader.order(epoch: 3) != loader.order(epoch: 4))
        #expect(loader.order(epoch: 3) != BatchLoader(dataset: data, batchSize: 7, seed: 43).order(epoch: 3))
        #expect(loader.order(epoch: 3).sorted() == Array(0..<50))
        let indices = try collect(loader.epoch(3)).flatMap(\.indices)
        #expect(indices == loader.order(epoch: 3))
    }

    @Test func aResumedEpochYieldsTheRemainingBatchesOfAnUninterruptedOne() throws {
        let data = CountingDataset(count: 23, layout: .image, noisy: true)
        let loader = BatchLoader(dataset: data, batchSize: 4, seed: 9)
        let whole = try collect(loader.epoch(2))
        let resumed = try collect(loader.epoch(2, startingAt: 3))
        #expect(resumed.map(\.inputs) == whole.suffix(3).map(\.inputs))
        #expect(resumed.map(\.labels) == whole.suffix(3).map(\.labels))
    }

    @Test func prefetchingGivesTheSameBatchesAsNoPrefetching() throws {
        for layout in [SampleLayout.image, .eventFrames] {
            let data = CountingDataset(count: 37, layout: layout, noisy: true)
            let direct = try collect(BatchLoader(dataset: data, batchSize: 5, seed: 1, prefetch: 0).epoch(1))
            for depth in [1, 2] {
                let prefetched = try collect(
                    BatchLoader(dataset: data, batchSize: 5, seed: 1, prefetch: depth).epoch(1))
                #expect(prefetched.map(\.inputs) == direct.map(\.inputs))
                #expect(prefetched.map(\.indices) == direct.map(\.indices))
            }
        }
    }

    @Test func augmentationDependsOnTheSampleAndEpochNotTheBatchSize() throws {
        let data = CountingDataset(count: 12, layout: .image, noisy: true)
        let small = BatchLoader(dataset: data, batchSize: 2, shuffle: false, seed: 5)
        let large = BatchLoader(dataset: data, batchSize: 12, shuffle: false, seed: 5)
        let a = Tensor.concatenated(try collect(small.epoch(0)).map(\.inputs))
        #expect(a == (try large.batch(0, epoch: 0)).inputs)
        #expect(a != (try large.batch(0, epoch: 1)).inputs)
    }

    @Test func aFailingSampleThrowsAtItsBatchWithOrWithoutPrefetching() throws {
        for depth in [0, 2] {
            let data = CountingDataset(count: 10, layout: .image, failing: 4)
            let epoch = BatchLoader(dataset: data, batchSize: 3, shuffle: false, prefetch: depth).epoch(0)
            #expect(try epoch.next()?.indices == [0, 1, 2])
            #expect(throws: DataError.self) { try epoch.next() }
            #expect(try epoch.next() == nil)
        }
    }

    @Test func releasingAnEpochEarlyStopsItsPrefetchThread() throws {
        let data = CountingDataset(count: 1000, layout: .image)
        for _ in 0..<20 {
            let epoch = BatchLoader(dataset: data, batchSize: 10, prefetch: 2).epoch(0)
            _ = try epoch.next()
        }
        // Reaching here without hanging is the test; a fresh epoch still works.
        #expect(try collect(BatchLoader(dataset: data, batchSize: 100, prefetch: 1).epoch(0)).count == 10)
    }

    @Test func realLoadersBatchImagesAndEventFrames() throws {
        let root = try temporaryFolder("loader")
        defer { remove(root) }
        try SyntheticEvents.writeNMNISTFolder(
            at: root, samplesPerClass: 1, testSamplesPerClass: 1, eventsPerSample: 40, seed: 4)
        let events = try NMNIST.load(
            root: root, split: .test, binning: EventBinning(frames: 6, size: .init(height: 17, width: 17)))
        let batch = try BatchLoader(dataset: events, batchSize: 4).batch(2, epoch: 0)
        #expect(batch.inputs.shape == [6, 2, 2, 17, 17] && batch.labels.count == 2)
        let (pixels, labels) = SyntheticImages.images(count: 6, channels: 3, height: 32, width: 32, seed: 1)
        let images = ImageDataset(
            channels: 3, height: 32, width: 32, pixels: pixels, labels: labels, classNames: CIFAR10.classNames,
            preprocessing: .cifar10(augmented: true))
        #expect(try BatchLoader(dataset: images, batchSize: 4).batch(0, epoch: 0).inputs.shape == [4, 3, 32, 32])
    }
}
