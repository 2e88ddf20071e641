import Foundation
import STBP
import Testing

/// `mpirun -np 2 stbp train` against the same run in one process, a mismatch between ranks, and
/// a rank that fails mid-run. They need the tool built with the MPI trait (`swift test --traits
/// MPI`) and Open MPI's mpirun; without them they skip, saying why, unless STBP_REQUIRE_MPI is
/// set (CI sets it), which makes a skip a failure.
@Suite(.serialized) struct DistributedTests {
    /// mpirun, or why these tests cannot run.
    static let mpirun: Result<URL, SkipReason> = {
        #if MPI
            let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
                .map { URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun") }
                .first { FileManager.default.isExecutableFile(atPath: $0.path) }
            guard let path else { return .failure(SkipReason("mpirun is not on PATH (apt-get install openmpi-bin)")) }
            return .success(path)
        #else
            return .failure(SkipReason("the package was built without the MPI trait (swift test --traits MPI)"))
        #endif
    }()

    struct SkipReason: Error { let text: String; init(_ text: String) { self.text = text } }

    /// mpirun, or nil after recording the skip (an issue when STBP_REQUIRE_MPI is set).
    func mpirunOrSkip() -> URL? {
        switch Self.mpirun {
        case .success(let url): return url
        case .failure(let reason):
            if ProcessInfo.processInfo.environment["STBP_REQUIRE_MPI"] != nil {
                Issue.record("STBP_REQUIRE_MPI is set but the distributed tests cannot run: \(reason.text).")
            } else {
                print("DistributedTests skipped: \(reason.text).")
            }
            return nil
        }
    }

    /// Loopback TCP between ranks on this machine, as root if need be, more ranks than cores allowed.
    static let mpirunOptions = ["--allow-run-as-root", "--oversubscribe", "--mca", "btl", "self,tcp"]

    /// Runs mpirun with `arguments` (after its options), waiting at most `timeout` seconds.
    func runMPI(
        _ mpirun: URL, _ arguments: [String], scratch: ScratchFolder, timeout: Double = 600
    ) throws
        -> (status: Int32, output: String, seconds: Double)
    {
        let process = Process()
        process.executableURL = mpirun
        process.arguments = Self.mpirunOptions + arguments
        let log = scratch.url.appendingPathComponent("mpirun-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        let start = Date()
        try process.run()
        while process.isRunning && Date().timeIntervalSince(start) < timeout { usleep(20_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return (
            process.terminationStatus, try String(contentsOf: log, encoding: .utf8), Date().timeIntervalSince(start)
        )
    }

    var stbp: String { Executables.folder.appendingPathComponent("stbp").path }

    /// The largest |a - b| / max|b| over the tensors of two checkpoints' parameters.
    static func relativeDifference(_ a: Checkpoint, _ b: Checkpoint) -> Float {
        var worst: Float = 0
        for (name, reference) in b.parameters {
            let other = a.parameters[name]!.scalars, values = reference.scalars
            let scale = max(values.map(abs).max() ?? 0, .leastNormalMagnitude)
            worst = max(worst, zip(other, values).map { abs($0 - $1) }.max()! / scale)
        }
        return worst
    }

    /// Two ranks train as one process that runs each batch as two slices and sums their
    /// gradients (`--micro-batches 2`: the same two partial sums, so the same bits), and, within
    /// 1e-6 relative, as one process on whole batches (the gradient sums are taken in another
    /// order; SGD, as Adam's normalisation lets the rounding of near-zero gradients grow). The
    /// batch of 7 splits 4 + 3 (the last one 1 + 1), with dropout and Bernoulli coding, whose
    /// draws must follow the global sample index; 1 KiB buckets split the gradients into four
    /// buckets (the last layer's, the dense bias, the dense weight, the convolution's), each
    /// summed as soon as it is complete.
    @Test func twoRanksTrainAsOneProcess() throws {
        guard let mpirun = mpirunOrSkip() else { return }
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        try SyntheticImages.writeMNISTFolder(
            at: scratch.url.appendingPathComponent("data"), trainCount: 72, testCount: 30, seed: 9)
        let arguments = [
            "train", "--data", scratch.path("data"), "--model", "8C3-AP2-D0.5-24FC-10", "--encoding", "bernoulli",
            "--batch-size", "7", "--epochs", "2", "--time-steps", "3", "--threads", "1", "--log-every", "1",
        ]
        for (optimizer, bitForBit) in [
            (["--learning-rate", "0.005"], true), (["--optimizer", "sgd", "--learning-rate", "0.05"], false),
        ] {
            let reference = bitForBit ? ["--micro-batches", "2"] : []
            let single = try Executables.run(
                "stbp", arguments + optimizer + reference + ["--output", scratch.path("single"), "--overwrite"])
            #expect(single.status == 0, "\(single.error)")
            let parallel = try runMPI(
                mpirun,
                ["-np", "2", stbp] + arguments + optimizer + [
                    "--bucket-bytes", "1024", "--output", scratch.path("two"), "--overwrite",
                ],
                scratch: scratch)
            #expect(parallel.status == 0, "\(parallel.output)")
            #expect(parallel.output.contains("2 processes (MPI ranks) x 1 threads each"))
            let one = try Checkpoint(
                contentsOf: URL(fileURLWithPath: scratch.path("single/checkpoint-last.safetensors")))
            let two = try Checkpoint(contentsOf: URL(fileURLWithPath: scratch.path("two/checkpoint-last.safetensors")))
            #expect(one.progress.step == 22 && two.progress.step == 22)
            let difference = Self.relativeDifference(two, one)
            print(
                "DistributedTests: 2 ranks against 1 process\(bitForBit ? " in 2 micro-batches" : "") (\(optimizer.joined(separator: " "))) "
                    + "after 22 steps: largest relative weight difference \(difference)")
            if bitForBit {
                #expect(two.parameters == one.parameters)
                #expect(two.optimizerState == one.optimizerState)
            } else {
                #expect(difference <= 1e-6)
            }
            let epochs = { (folder: String) in
                try RunFolder(URL(fileURLWithPath: scratch.path(folder))).readMetrics().filter { $0["kind"] == "epoch" }
            }
            let (oneEpochs, twoEpochs) = (try epochs("single"), try epochs("two"))
            #expect(oneEpochs.count == 2 && twoEpochs.count == 2)
            for (a, b) in zip(oneEpochs, twoEpochs) {
                #expect(a["test_accuracy"] == b["test_accuracy"])
                #expect(a["train_accuracy"] == b["train_accuracy"])
                let loss = (a["test_loss"]?.number ?? 0, b["test_loss"]?.number ?? 1)
                #expect(abs(loss.0 - loss.1) <= 1e-6 * abs(loss.0))
            }
        }
        let configuration = try String(
            contentsOf: URL(fileURLWithPath: scratch.path("two/configuration.json")), encoding: .utf8)
        #expect(configuration.contains("\"processes\" : 2"))
        #expect(configuration.contains("\"threadsPerProcess\" : 1"))
    }

    /// Two ranks that resume a two-rank run from its checkpoint (every rank reading it) end
    /// where an uninterrupted two-rank run ends, bit for bit, and the metrics log has each
    /// epoch once (rank 0 alone writes it).
    @Test func twoRanksResumeFromTheSameCheckpoint() throws {
        guard let mpirun = mpirunOrSkip() else { return }
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        try SyntheticImages.writeMNISTFolder(
            at: scratch.url.appendingPathComponent("data"), trainCount: 40, testCount: 10, seed: 4)
        let arguments = [
            stbp, "train", "--data", scratch.path("data"), "--model", "8C3-AP2-D0.5-24FC-10", "--batch-size", "8",
            "--time-steps", "2", "--threads", "1", "--learning-rate", "0.005", "--log-every", "1",
        ]
        let whole = try runMPI(
            mpirun, ["-np", "2"] + arguments + ["--epochs", "2", "--output", scratch.path("whole")], scratch: scratch)
        #expect(whole.status == 0, "\(whole.output)")
        let first = try runMPI(
            mpirun, ["-np", "2"] + arguments + ["--epochs", "1", "--output", scratch.path("resumed")], scratch: scratch)
        #expect(first.status == 0, "\(first.output)")
        let second = try runMPI(
            mpirun, ["-np", "2"] + arguments + ["--epochs", "2", "--resume", "--output", scratch.path("resumed")],
            scratch: scratch)
        #expect(second.status == 0, "\(second.output)")
        let a = try Checkpoint(contentsOf: URL(fileURLWithPath: scratch.path("whole/checkpoint-last.safetensors")))
        let b = try Checkpoint(contentsOf: URL(fileURLWithPath: scratch.path("resumed/checkpoint-last.safetensors")))
        #expect(a.progress.step == 10 && b.progress.step == 10)
        #expect(a.parameters == b.parameters)
        #expect(a.optimizerState == b.optimizerState)
        let epochs = try RunFolder(URL(fileURLWithPath: scratch.path("resumed"))).readMetrics().filter {
            $0["kind"] == "epoch"
        }
        #expect(epochs.map { $0["epoch"] } == [.number(1), .number(2)])
    }

    /// Ranks that were given different settings stop at the start, the differing rank naming
    /// the setting.
    @Test func ranksWithDifferentSettingsAreRefused() throws {
        guard let mpirun = mpirunOrSkip() else { return }
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        try SyntheticImages.writeMNISTFolder(
            at: scratch.url.appendingPathComponent("data"), trainCount: 20, testCount: 10, seed: 9)
        let arguments = [
            stbp, "train", "--data", scratch.path("data"), "--model", "8C3-AP2-24FC-10", "--batch-size", "4",
            "--epochs", "1", "--time-steps", "2", "--threads", "1", "--output", scratch.path("run"),
        ]
        let result = try runMPI(
            mpirun, ["-np", "1"] + arguments + [":", "-np", "1"] + arguments + ["--seed", "4"], scratch: scratch,
            timeout: 120)
        #expect(result.status != 0)
        #expect(
            result.output.contains("Rank 1's settings, data or network differs from rank 0's (line "),
            "\(result.output)")
        #expect(result.output.contains("is \"seed\" : 4, there and \"seed\" : 0, on rank 0"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("run/checkpoint-last.safetensors")))
    }

    /// Rank 1 reads its own copy of N-MNIST in which one recording, first read by rank 1 in the
    /// second epoch, is corrupt: the job ends within 10 s of rank 1's error, with that error
    /// and a non-zero status, and the checkpoint of the first epoch is intact.
    @Test func aFailingRankEndsTheJob() throws {
        guard let mpirun = mpirunOrSkip() else { return }
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let good = scratch.url.appendingPathComponent("good"), bad = scratch.url.appendingPathComponent("bad")
        try SyntheticEvents.writeNMNISTFolder(at: good, samplesPerClass: 4, testSamplesPerClass: 1, seed: 2)
        try FileManager.default.copyItem(at: good, to: bad)
        // The recording rank 1 reads first in epoch 2 that it did not read in epoch 1.
        let (batchSize, seed) = (8, UInt64(0))
        let splits = try DatasetKind.nmnist.load(from: good, options: DatasetOptions(timeSteps: 2))
        let files = try #require(splits.train as? EventDataset).files
        var loader = BatchLoader(dataset: splits.train, batchSize: batchSize, seed: seed)
        (loader.rank, loader.ranks) = (1, 2)
        let read = { (epoch: Int) in
            (0..<loader.batchCount).flatMap { batch in
                let members = Array(
                    loader.order(epoch: epoch)[(batch * batchSize)..<min((batch + 1) * batchSize, files.count)])
                return Array(members[BatchSlice(rank: 1, of: 2, globalCount: members.count).range])
            }
        }
        let first = Set(read(0))
        let victim = try #require(read(1).dropFirst(4).first { !first.contains($0) })
        let name = files[victim].path.dropFirst(good.path.count)
        try Data("not an N-MNIST recording".utf8).write(to: URL(fileURLWithPath: bad.path + name))
        let arguments = [
            "train", "--dataset", "nmnist", "--model", "8C3-AP2-24FC-10", "--batch-size", "\(batchSize)", "--epochs",
            "3", "--time-steps", "2", "--threads", "1", "--seed", "\(seed)", "--log-every", "1", "--output",
            scratch.path("run"),
        ]
        let process = Process()
        process.executableURL = mpirun
        process.arguments =
            Self.mpirunOptions + ["-np", "1", stbp] + arguments + ["--data", good.path, ":", "-np", "1", stbp]
            + arguments + ["--data", bad.path]
        let log = scratch.url.appendingPathComponent("log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        (process.standardOutput, process.standardError) = (handle, handle)
        try process.run()
        var failedAt: Date?
        let deadline = Date().addingTimeInterval(600)
        while process.isRunning && Date() < deadline {
            if failedAt == nil, (try? String(contentsOf: log, encoding: .utf8))?.contains("[rank 1/2] Error") == true {
                failedAt = Date()
            }
            usleep(10_000)
        }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let ended = Date()
        let output = try String(contentsOf: log, encoding: .utf8)
        let failure = try #require(failedAt, "rank 1 did not fail: \(output)")
        print("DistributedTests: the job ended \(ended.timeIntervalSince(failure)) s after rank 1's error")
        #expect(ended.timeIntervalSince(failure) < 10)
        #expect(process.terminationStatus != 0)
        #expect(output.contains(String(name.split(separator: "/").last!)), "\(output)")
        let checkpoint = try Checkpoint(
            contentsOf: URL(fileURLWithPath: scratch.path("run/checkpoint-last.safetensors")))
        #expect(checkpoint.progress.epoch == 1 && checkpoint.progress.batch == 0)
    }
}
