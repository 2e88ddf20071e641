import Foundation
import STBP
import STBPTraining
import Testing

/// `stbp bench --firing-rate` and `--checkpoint --data`: what they print, and the combinations
/// they refuse, each naming the flag.
@Suite(.serialized) struct BenchOptionsTests {
    /// Runs `stbp` and expects a clean refusal whose standard error names `flag`.
    func expectRefusal(
        _ arguments: [String], naming flag: String, sourceLocation: SourceLocation = #_sourceLocation
    )
        throws
    {
        let result = try Executables.run("stbp", ["bench"] + arguments)
        #expect(result.status > 0 && result.status < 128, "\(result.error)", sourceLocation: sourceLocation)
        #expect(!result.error.contains("Fatal error"), "\(result.error)", sourceLocation: sourceLocation)
        #expect(
            result.error.contains(flag), "\(arguments) should name \(flag): \(result.error)",
            sourceLocation: sourceLocation)
    }

    @Test func badCombinationsAreRefused() throws {
        let checkpoint = ["--checkpoint", "run.safetensors", "--data", "mnist"]
        try expectRefusal(checkpoint + ["--config", "mnist"], naming: "--config")
        try expectRefusal(checkpoint + ["--model", "4C3-10"], naming: "--model")
        try expectRefusal(checkpoint + ["--firing-rate", "0.1"], naming: "--firing-rate")
        try expectRefusal(checkpoint + ["--time-steps", "4"], naming: "--time-steps")
        try expectRefusal(["--checkpoint", "run.safetensors"], naming: "--data")
        try expectRefusal(["--config", "mnist", "--data", "mnist"], naming: "--checkpoint")
        try expectRefusal(checkpoint + ["--density-sweep"], naming: "--density-sweep")
        try expectRefusal(["--config", "mnist", "--spike-kernels", "sparse"], naming: "--spike-kernels")
        try expectRefusal(["--density-sweep", "--config", "mnist"], naming: "--density-sweep")
        try expectRefusal(["--density-sweep", "--firing-rate", "0.1"], naming: "--firing-rate")
        try expectRefusal(["--density-sweep", "--model", "4C3-10"], naming: "--model")
        try expectRefusal(
            ["--config", "mnist", "--spike-kernels", "dense", "--against-dense"], naming: "--against-dense")
        for rate in ["0", "1", "1.5", "-0.1", "nan"] {
            try expectRefusal(["--config", "mnist", "--firing-rate", rate], naming: "--firing-rate")
        }
    }

    @Test func aCheckpointIsTimedOnItsData() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let data = scratch.path("data")
        try SyntheticImages.writeMNISTFolder(
            at: URL(fileURLWithPath: data), trainCount: 20, testCount: 10, seed: 3)
        let train = try Executables.run(
            "stbp",
            [
                "train", "--data", data, "--model", "4C3-AP2-10", "--epochs", "1", "--batch-size", "10",
                "--time-steps", "2", "--threads", "1", "--output", scratch.path("run"),
            ])
        #expect(train.status == 0, "\(train.error)")
        let bench = try Executables.run(
            "stbp",
            [
                "bench", "--checkpoint", scratch.path("run/checkpoint-last.safetensors"), "--data", data,
                "--batch-size", "5", "--iterations", "2", "--threads", "1", "--json",
            ])
        #expect(bench.status == 0, "\(bench.error)")
        let report = try JSONDecoder().decode(TrainingBenchmark.Report.self, from: Data(bench.output.utf8))
        #expect(report.config == "checkpoint" && report.batchSize == 5 && report.timeSteps == 2)
        #expect(report.iterations == 2 && report.firingRateTarget == nil)
        #expect(report.layers.map(\.path) == ["0", "2"])
        #expect(report.layers.map(\.input) == ["analog", "pooled spikes"])
        #expect(report.layers.allSatisfy { $0.surrogateDensity != nil && $0.calibrationScale == nil })
        // A plain weight file has no network to time.
        try expectRefusal(
            ["--checkpoint", scratch.path("data/train-images-idx3-ubyte.gz"), "--data", data], naming: "--checkpoint")
    }

    /// `--spike-kernels` picks the path of a convolution fed by spikes, and the report says which.
    @Test(arguments: ["dense", "event", "auto"])
    func theSpikeKernelsAreReported(_ kernels: String) throws {
        let bench = try Executables.run(
            "stbp",
            [
                "bench", "--model", "4C3-4C3-10", "--input-shape", "1x6x6", "--time-steps", "2", "--batch-size", "2",
                "--iterations", "1", "--threads", "1", "--spike-kernels", kernels, "--json",
            ])
        #expect(bench.status == 0, "\(bench.error)")
        let report = try JSONDecoder().decode(TrainingBenchmark.Report.self, from: Data(bench.output.utf8))
        #expect(report.spikeKernels == kernels)
    }
}
