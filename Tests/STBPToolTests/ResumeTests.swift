import Foundation
import STBP
import Testing

/// A run that is killed (SIGKILL) or interrupted (SIGINT) and resumed ends exactly where an
/// uninterrupted run does.
@Suite(.serialized) struct ResumeTests {
    static func arguments(data: String, output: String) -> [String] {
        [
            "train", "--data", data, "--model", "8C3-AP2-24FC-10", "--epochs", "4", "--batch-size", "20",
            "--time-steps", "4",
            "--learning-rate", "0.005", "--threads", "1", "--seed", "3", "--log-every", "1", "--output", output,
        ]
    }

    static func epochRecords(_ folder: String) throws -> [[String: MetricValue]] {
        try RunFolder(URL(fileURLWithPath: folder)).readMetrics().filter { $0["kind"] == "epoch" }.map { record in
            record.filter { !["samples_per_second", "seconds"].contains($0.key) }
        }
    }

    func expectSameRun(_ a: String, _ b: String) throws {
        let first = try Self.epochRecords(a), second = try Self.epochRecords(b)
        #expect(first.count == 4)
        #expect(first == second)
        let left = try Checkpoint(contentsOf: URL(fileURLWithPath: a + "/checkpoint-last.safetensors"))
        let right = try Checkpoint(contentsOf: URL(fileURLWithPath: b + "/checkpoint-last.safetensors"))
        #expect(left.parameters == right.parameters)
        #expect(left.optimizerState == right.optimizerState)
    }

    /// Starts a run, waits until `ready` holds, sends `signal`, and returns how the process ended.
    func interrupt(
        _ arguments: [String], scratch: ScratchFolder, signal: Int32, when ready: () -> Bool
    ) throws -> Process {
        let process = try Executables.start(
            "stbp", arguments, output: scratch.url.appendingPathComponent("out"),
            error: scratch.url.appendingPathComponent("err"))
        let deadline = Date().addingTimeInterval(300)
        while !ready() && process.isRunning && Date() < deadline { usleep(2_000) }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return process
    }

    /// Writes a synthetic MNIST folder into `scratch` and trains the reference run in "whole";
    /// returns the data folder.
    func uninterruptedRun(in scratch: ScratchFolder) throws -> String {
        try SyntheticImages.writeMNISTFolder(
            at: scratch.url.appendingPathComponent("data"), trainCount: 200, testCount: 40, seed: 5)
        let data = scratch.path("data")
        #expect(try Executables.run("stbp", Self.arguments(data: data, output: scratch.path("whole"))).status == 0)
        return data
    }

    @Test func aKilledRunResumesFromItsLastCheckpoint() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let data = try uninterruptedRun(in: scratch)

        let killed = try interrupt(
            Self.arguments(data: data, output: scratch.path("killed")), scratch: scratch, signal: SIGKILL
        ) {
            FileManager.default.fileExists(atPath: scratch.path("killed/checkpoint-last.safetensors"))
        }
        #expect(killed.terminationReason == .uncaughtSignal)
        let resumed = try Executables.run(
            "stbp", Self.arguments(data: data, output: scratch.path("killed")) + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.error)")
        try expectSameRun(scratch.path("whole"), scratch.path("killed"))
    }

    @Test func ctrlCWritesACheckpointMidEpochAndTheRunResumesExactly() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let data = try uninterruptedRun(in: scratch)

        let metrics = scratch.path("stopped/metrics.jsonl")
        let stopped = try interrupt(
            Self.arguments(data: data, output: scratch.path("stopped")), scratch: scratch, signal: SIGINT
        ) {
            ((try? String(contentsOfFile: metrics, encoding: .utf8))?.split(separator: "\n").count ?? 0) >= 3
        }
        #expect(stopped.terminationStatus == 130)
        let checkpoint = try Checkpoint(
            contentsOf: URL(fileURLWithPath: scratch.path("stopped/checkpoint-last.safetensors")))
        #expect(checkpoint.progress.step >= 3 && checkpoint.progress.step < 40)
        let resumed = try Executables.run(
            "stbp", Self.arguments(data: data, output: scratch.path("stopped")) + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.error)")
        try expectSameRun(scratch.path("whole"), scratch.path("stopped"))
    }
}
