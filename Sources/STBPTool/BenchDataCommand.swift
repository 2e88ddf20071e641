import ArgumentParser
import Foundation
import STBP

struct BenchDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-data",
        abstract:
            "Measure samples per second of data loading: N-MNIST-format reading and binning, and augmented CIFAR-10 batches.",
        discussion: """
            Writes synthetic files in the real formats to a temporary folder, then times reading and binning them \
            (cold, while filling the frame cache, and from the cache) and assembling augmented CIFAR-10 batches. \
            Compare the figures with `stbp bench`'s training samples per second: loading must not be what training waits for.
            """)

    @Option(help: "N-MNIST-format recordings to write and read.")
    var eventSamples: Int = 2000

    @Option(help: "Events per recording.")
    var eventsPerSample: Int = 4000

    @Option(help: "Frames T per recording.")
    var frames: Int = 10

    @Option(help: "CIFAR-10 images to batch.")
    var imageSamples: Int = 10000

    @Option(help: "Samples per batch.")
    var batchSize: Int = 100

    @Option(help: "Threads for the package's loops (default: all cores).")
    var threads: Int?

    func validate() throws {
        try ArgumentCheck.count("--event-samples", eventSamples, 10...1_000_000)
        try ArgumentCheck.count("--events-per-sample", eventsPerSample, 1...10_000_000)
        try ArgumentCheck.count("--frames", frames, 1...10_000)
        try ArgumentCheck.count("--image-samples", imageSamples, 1...1_000_000)
        try ArgumentCheck.count("--batch-size", batchSize, 1...imageSamples)
        try ArgumentCheck.count("--threads", threads)
    }

    func run() throws {
        if let threads { ComputeThreads.set(threads) }
        print(
            try DataLoadingBenchmark.run(
                eventSamples: eventSamples, eventsPerSample: eventsPerSample, frames: frames,
                imageSamples: imageSamples,
                batchSize: batchSize))
    }
}
