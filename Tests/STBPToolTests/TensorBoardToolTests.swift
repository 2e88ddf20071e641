import Foundation
import STBP
import Testing

/// Whether python3 can import the tensorboard package (`pip install tensorboard`).
private let pythonHasTensorBoard = pythonCanImport("tensorboard.backend.event_processing.event_accumulator")

/// `stbp train --tensorboard`: event files that TensorBoard reads (the check script of
/// Tests/STBPTrainingTests/Fixtures/tensorboard, run with python3 when it has the tensorboard
/// package), one more per resumed run, and a folder of another run's event files refused.
@Suite(.serialized) struct TensorBoardToolTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../STBPTrainingTests/Fixtures/tensorboard").standardizedFileURL
    static let skipReason = Comment(
        rawValue: "python3 cannot import tensorboard (pip install tensorboard==2.20.0), so TensorBoard's own reader "
            + "cannot check the event files")

    static func arguments(data: String, output: String, epochs: Int = 3, tensorBoard: String? = nil) -> [String] {
        [
            "train", "--data", data, "--model", "2C3-AP4-10", "--epochs", "\(epochs)", "--batch-size", "20",
            "--time-steps", "4", "--learning-rate", "0.005", "--threads", "1", "--seed", "3", "--log-every", "1",
            "--keep-epoch-checkpoints", "--output", output, "--tensorboard", tensorBoard ?? output + "/tensorboard",
        ]
    }

    /// Writes 200 training and 40 test images of synthetic MNIST into `scratch`; returns the folder.
    static func data(in scratch: ScratchFolder) throws -> String {
        try SyntheticImages.writeMNISTFolder(
            at: scratch.url.appendingPathComponent("data"), trainCount: 200, testCount: 40, seed: 5)
        return scratch.path("data")
    }

    static func eventFiles(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix("events.out.tfevents.") }.sorted()
    }

    /// Runs check_events.py on a run folder and its event folder; returns its status and output.
    static func check(run: URL, events: URL) throws -> (status: Int32, output: String) {
        let (status, output) = try runPython([
            fixtures.appendingPathComponent("check_events.py").path, run.path, events.path,
        ])
        print(output)
        return (status, output)
    }

    @Test func aNewRunRefusesAnotherRunsEventFilesUnlessOverwriting() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let data = try Self.data(in: scratch)
        let events = scratch.path("first/tensorboard")

        let file = scratch.path("file")
        _ = FileManager.default.createFile(atPath: file, contents: Data())
        let notAFolder = try Executables.run(
            "stbp", Self.arguments(data: data, output: scratch.path("other"), epochs: 1, tensorBoard: file))
        #expect(notAFolder.status != 0)
        #expect(notAFolder.error.contains("--tensorboard \(file)") && notAFolder.error.contains("not a folder"))

        let first = try Executables.run("stbp", Self.arguments(data: data, output: scratch.path("first"), epochs: 1))
        #expect(first.status == 0, "\(first.error)")
        let written = Self.eventFiles(events)
        #expect(written.count == 1)

        let second = Self.arguments(data: data, output: scratch.path("second"), epochs: 1, tensorBoard: events)
        let refused = try Executables.run("stbp", second)
        #expect(refused.status != 0)
        #expect(refused.error.contains("\(events) holds TensorBoard event files of another run"), "\(refused.error)")
        #expect(Self.eventFiles(events) == written)

        // The same training again, into one new file (which may have the old one's name, in the same second).
        func size(_ name: String) throws -> Int {
            try FileManager.default.attributesOfItem(atPath: events + "/" + name)[.size] as? Int ?? 0
        }
        let firstSize = try size(written[0])
        let overwritten = try Executables.run("stbp", second + ["--overwrite"])
        #expect(overwritten.status == 0, "\(overwritten.error)")
        let rewritten = Self.eventFiles(events)
        #expect(rewritten.count == 1)
        #expect(try size(rewritten[0]) == firstSize)
    }

    /// A run stopped with Ctrl-C in its second epoch (or, on a slow machine, finished) and
    /// resumed: TensorBoard reads its two event files as one run that holds every number of
    /// metrics.jsonl once, and weight histograms equal to the epochs' checkpoints. With
    /// STBP_WRITE_TENSORBOARD_FIXTURE=1 the run becomes the committed fixture.
    @Test(.enabled(if: pythonHasTensorBoard, skipReason))
    func tensorBoardReadsTheEventFilesOfAStoppedAndResumedRun() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let data = try Self.data(in: scratch)
        let run = scratch.url.appendingPathComponent("run")
        let arguments = Self.arguments(data: data, output: run.path)
        let metrics = run.appendingPathComponent("metrics.jsonl")

        let stopped = try Executables.start(
            "stbp", arguments, output: scratch.url.appendingPathComponent("out"),
            error: scratch.url.appendingPathComponent("err"))
        let deadline = Date().addingTimeInterval(300)
        // Epoch 1 logs 10 steps and its epoch record; stop in epoch 2.
        while stopped.isRunning && Date() < deadline
            && ((try? String(contentsOf: metrics, encoding: .utf8))?.split(separator: "\n").count ?? 0) < 14
        {
            usleep(1_000)
        }
        kill(stopped.processIdentifier, SIGINT)
        stopped.waitUntilExit()
        let resumed = try Executables.run("stbp", arguments + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.error)")
        let events = run.appendingPathComponent("tensorboard")
        #expect(Self.eventFiles(events.path).count == 2)

        let (status, output) = try Self.check(run: run, events: events)
        #expect(status == 0, "\(output)")
        #expect(output.contains("3 epochs' steps; 12 weight histograms compared"), "\(output)")

        if ProcessInfo.processInfo.environment["STBP_WRITE_TENSORBOARD_FIXTURE"] == "1" {
            let fixture = Self.fixtures.appendingPathComponent("run")
            try? FileManager.default.removeItem(at: fixture)
            try FileManager.default.createDirectory(
                at: fixture.appendingPathComponent("tensorboard"), withIntermediateDirectories: true)
            let names =
                ["metrics.jsonl"] + (1...3).map { String(format: "checkpoint-epoch-%03d.safetensors", $0) }
                + Self.eventFiles(events.path).map { "tensorboard/\($0)" }
            for name in names {
                try FileManager.default.copyItem(
                    at: run.appendingPathComponent(name), to: fixture.appendingPathComponent(name))
            }
        }
    }

    /// The committed run (Fixtures/tensorboard/run, written by the test above) still passes the check.
    @Test(.enabled(if: pythonHasTensorBoard, skipReason))
    func tensorBoardReadsTheCommittedFixture() throws {
        let run = Self.fixtures.appendingPathComponent("run")
        let (status, output) = try Self.check(run: run, events: run.appendingPathComponent("tensorboard"))
        #expect(status == 0, "\(output)")
        #expect(output.contains("OK: TensorBoard reads the event files"), "\(output)")
    }
}
