import Foundation
import STBP
import Testing

/// `stbp simulate-events` end to end on a few synthetic MNIST images, then `stbp train` on its
/// output, and its refusals of bad flags and of a folder that already holds a data set.
@Suite(.serialized) struct SimulateEventsTests {
    /// Short saccades (1 ms, 10 steps each) keep the debug build quick.
    static let quick = ["--saccade-length", "1000", "--time-step", "100", "--refractory-period", "100"]

    @Test func simulatedRecordingsAreWrittenInNMNISTsLayoutAndTrainOn() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        try SyntheticImages.writeMNISTFolder(
            at: scratch.url.appendingPathComponent("mnist"), trainCount: 30, testCount: 20, seed: 1)
        let output = scratch.path("events")
        let arguments =
            ["simulate-events", "--from", scratch.path("mnist"), "--output", output, "--train-per-class", "2"]
            + ["--test-limit", "10", "--preview", scratch.path("preview.svg")] + Self.quick
        let result = try Executables.run("stbp", arguments)
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("train: 20 recordings") && result.output.contains("test: 10 recordings"))
        #expect(result.output.contains("events per recording mean"))
        for digit in 0..<10 {
            let train = try FileManager.default.contentsOfDirectory(atPath: "\(output)/Train/\(digit)").sorted()
            #expect(train == [String(format: "%05d.bin", digit), String(format: "%05d.bin", digit + 10)])
            let test = try FileManager.default.contentsOfDirectory(atPath: "\(output)/Test/\(digit)")
            #expect(test == [String(format: "%05d.bin", digit)])
        }
        let recording = try NMNISTFormat.read(URL(fileURLWithPath: "\(output)/Train/3/00013.bin"))
        #expect(!recording.events.isEmpty && recording.events.allSatisfy { $0.timestamp <= 3000 })
        let svg = try String(contentsOfFile: scratch.path("preview.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("class=\"event-pixel\""))

        // Same flags, same seed: the same bytes.
        let again = try Executables.run("stbp", arguments.map { $0 == output ? scratch.path("again") : $0 })
        #expect(again.status == 0)
        #expect(
            FileManager.default.contents(atPath: "\(output)/Train/3/00013.bin")
                == FileManager.default.contents(atPath: scratch.path("again") + "/Train/3/00013.bin"))

        let refused = try Executables.run("stbp", arguments)
        #expect(refused.status > 0 && refused.status < 128 && refused.error.contains("--overwrite"))
        let replaced = try Executables.run("stbp", arguments + ["--overwrite", "--train-per-class", "1"])
        #expect(replaced.status == 0, "\(replaced.error)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(output)/Train/3") == ["00003.bin"])

        let train = try Executables.run(
            "stbp",
            [
                "train", "--dataset", "nmnist", "--data", output, "--model", "4C3-AP2-10", "--epochs", "1",
                "--batch-size", "5", "--time-steps", "2", "--threads", "1", "--output", scratch.path("run"),
            ])
        #expect(train.status == 0, "\(train.error)")
        #expect(train.output.contains("10 train"), "\(train.output)")
    }

    static let badFlags: [(arguments: [String], flag: String)] = [
        (["--train-limit", "0"], "--train-limit"), (["--test-limit", "-1"], "--test-limit"),
        (["--train-per-class", "0"], "--train-per-class"), (["--test-per-class", "0"], "--test-per-class"),
        (["--contrast-threshold", "0"], "--contrast-threshold"),
        (["--contrast-threshold", "nan"], "--contrast-threshold"),
        (["--threshold-mismatch", "-0.1"], "--threshold-mismatch"),
        (["--refractory-period", "-5"], "--refractory-period"), (["--timestamp-jitter", "inf"], "--timestamp-jitter"),
        (["--time-step", "0"], "--time-step"), (["--time-step", "200000"], "--time-step"),
        (["--black-level", "0"], "--black-level"), (["--saccade-length", "10"], "--saccade-length"),
        (["--saccade-length", "5000000"], "--saccade-length"),
    ]

    @Test(arguments: badFlags)
    func aBadNumberIsRefusedNamingItsFlag(_ bad: (arguments: [String], flag: String)) throws {
        let result = try Executables.run(
            "stbp", ["simulate-events", "--from", "/nonexistent", "--output", "/nonexistent-out"] + bad.arguments)
        #expect(result.status > 0 && result.status < 128, "\(result.error)")
        #expect(result.error.contains(bad.flag), "\(bad.arguments): \(result.error)")
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent-out"))
    }

    @Test func aMissingFolderOrAMissingDigitIsNamed() throws {
        let missing = try Executables.run("stbp", ["simulate-events", "--from", "/nonexistent", "--output", "/tmp/x"])
        #expect(missing.status > 0 && missing.status < 128 && missing.error.contains("/nonexistent"))
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        try SyntheticImages.writeMNISTFolder(
            at: scratch.url.appendingPathComponent("mnist"), trainCount: 10, testCount: 10, seed: 1)
        let few = try Executables.run(
            "stbp",
            ["simulate-events", "--from", scratch.path("mnist"), "--output", scratch.path("out"), "--train-limit", "5"]
                + Self.quick)
        #expect(few.status > 0 && few.status < 128 && few.error.contains("--train-limit"), "\(few.error)")
        #expect(few.error.contains("digit 5"))
    }
}
