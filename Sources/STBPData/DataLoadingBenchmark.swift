import Foundation
import STBPTensor

/// Measures how fast data is read, binned and batched, on synthetic files in the real formats
/// written to a temporary folder (removed afterwards).
///
/// Three N-MNIST passes over the same files, each through `BatchLoader` on the calling thread
/// (no prefetching, so the figure is one thread's rate): reading and binning without a cache
/// ("cold"; the files themselves are in the OS page cache after being written), the first
/// pass with a cache (reading, binning and writing entries), and a pass served from the cache.
/// Then augmented CIFAR-10 batches (crop, flip, normalisation) from synthetic records.
package enum DataLoadingBenchmark {
    /// The measured rates, in samples per second.
    package struct Report: Sendable, CustomStringConvertible {
        /// N-MNIST-format recordings read per pass.
        package var eventSamples: Int
        /// Events per synthetic recording.
        package var eventsPerSample: Int
        /// The binning used (T frames by time, counts).
        package var frames: Int
        /// Read and bin, no cache.
        package var eventColdSamplesPerSecond: Double
        /// Read, bin and write the cache entry.
        package var eventCacheFillSamplesPerSecond: Double
        /// Served from the cache.
        package var eventCachedSamplesPerSecond: Double
        /// CIFAR-10 images per pass.
        package var imageSamples: Int
        /// The batch size of both loaders.
        package var batchSize: Int
        /// Augmented, normalised CIFAR-10 images assembled into batches.
        package var imageAugmentedSamplesPerSecond: Double

        /// A few lines with the figures.
        package var description: String {
            func rate(_ value: Double) -> String { String(format: "%10.0f samples/s", value) }
            return """
                Data loading (one thread, batch \(batchSize)):
                  N-MNIST format, \(eventSamples) recordings of \(eventsPerSample) events, T = \(frames) by time:
                    read + bin (no cache)   \(rate(eventColdSamplesPerSecond))
                    read + bin + cache fill \(rate(eventCacheFillSamplesPerSecond))
                    from the frame cache    \(rate(eventCachedSamplesPerSecond))
                  CIFAR-10 format, \(imageSamples) images, crop (pad 4) + flip + normalise:
                    augmented batches       \(rate(imageAugmentedSamplesPerSecond))
                """
        }
    }

    /// Runs the benchmark on `eventSamples` N-MNIST-format recordings (spread over the ten
    /// digits) and `imageSamples` CIFAR-10 records, in a temporary folder under `directory`.
    package static func run(
        eventSamples: Int = 2000, eventsPerSample: Int = 4000, frames: Int = 10, imageSamples: Int = 10000,
        batchSize: Int = 100, directory: URL = FileManager.default.temporaryDirectory
    ) throws -> Report {
        precondition(eventSamples >= 10 && imageSamples >= 1 && batchSize >= 1, "The benchmark needs some samples.")
        let root = directory.appendingPathComponent("stbp-bench-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }

        let eventRoot = root.appendingPathComponent("nmnist")
        try SyntheticEvents.writeNMNISTFolder(
            at: eventRoot, samplesPerClass: (eventSamples + 9) / 10, testSamplesPerClass: 1,
            eventsPerSample: eventsPerSample, seed: 1)
        let binning = EventBinning(frames: frames, split: .time)
        let uncached = try NMNIST.load(root: eventRoot, split: .train, binning: binning)
        let events = uncached.subset(Array(0..<min(eventSamples, uncached.count)))
        var cached = events
        cached.cache = FrameCache(directory: root.appendingPathComponent("cache"))

        let cold = try samplesPerSecond(events, batchSize: batchSize)
        let fill = try samplesPerSecond(cached, batchSize: batchSize)
        let warm = try samplesPerSecond(cached, batchSize: batchSize)

        let imageFile = root.appendingPathComponent("cifar").appendingPathComponent("data_batch_1.bin")
        try FileIO.createFolder(imageFile.deletingLastPathComponent())
        let (pixels, labels) = SyntheticImages.images(count: imageSamples, channels: 3, height: 32, width: 32, seed: 2)
        try AtomicFile.write(Data(CIFAR10.encode(pixels: pixels, labels: labels)), to: imageFile)
        let images = try CIFAR10.load(files: [imageFile], preprocessing: .cifar10(augmented: true))
        let augmented = try samplesPerSecond(images, batchSize: batchSize)

        return Report(
            eventSamples: events.count, eventsPerSample: eventsPerSample, frames: frames,
            eventColdSamplesPerSecond: cold, eventCacheFillSamplesPerSecond: fill, eventCachedSamplesPerSecond: warm,
            imageSamples: images.count, batchSize: batchSize, imageAugmentedSamplesPerSecond: augmented)
    }

    /// Samples per second of one epoch of `dataset` through a non-prefetching loader.
    static func samplesPerSecond(_ dataset: any LabelledDataset, batchSize: Int) throws -> Double {
        let loader = BatchLoader(dataset: dataset, batchSize: batchSize, shuffle: true, seed: 7, prefetch: 0)
        let clock = ContinuousClock()
        var seen = 0
        let elapsed = try clock.measure {
            let epoch = loader.epoch(0)
            while let batch = try epoch.next() { seen += batch.labels.count }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Double(seen) / max(seconds, 1e-9)
    }
}
