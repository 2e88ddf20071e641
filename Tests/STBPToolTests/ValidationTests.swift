import Foundation
import STBP
import Testing

/// `stbp train --validation N` holds training samples out and picks the best epoch on them;
/// `--schedule step:E1,E2` is the step schedule in one flag.
@Suite(.serialized) struct ValidationTests {
    static func arguments(data: String, output: String) -> [String] {
        [
            "train", "--data", data, "--model", "8C3-AP2-24FC-10", "--epochs", "3", "--batch-size", "20",
            "--time-steps", "4", "--learning-rate", "0.005", "--threads", "1", "--seed", "3", "--output", output,
        ]
    }

    static func withData(_ body: (ScratchFolder, String) throws -> Void) throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        try SyntheticImages.writeMNISTFolder(
            at: scratch.url.appendingPathComponent("data"), trainCount: 200, testCount: 40, seed: 5)
        try body(scratch, scratch.path("data"))
    }

    @Test func heldOutSamplesPickTheBestCheckpointAndTheTestSetStaysAside() throws {
        try Self.withData { scratch, data in
            let run = scratch.path("run")
            let result = try Executables.run(
                "stbp", Self.arguments(data: data, output: run) + ["--validation", "50", "--keep-epoch-checkpoints"])
            #expect(result.status == 0, "\(result.error)")
            #expect(result.output.contains("150 training, 50 validation, 40 test samples"))
            #expect(result.output.contains("Validation accuracy"))

            let epochs = try RunFolder(URL(fileURLWithPath: run)).readMetrics().filter { $0["kind"] == "epoch" }
            let validation = epochs.compactMap { $0["validation_accuracy"]?.number }
            let test = epochs.compactMap { $0["test_accuracy"]?.number }
            #expect(validation.count == 3 && test.count == 3)
            // The first epoch of the highest validation accuracy is the best one, whatever the test set says.
            let best = validation.firstIndex(of: validation.max()!)! + 1
            let bestCheckpoint = try Checkpoint(contentsOf: URL(fileURLWithPath: run + "/checkpoint-best.safetensors"))
            let epochCheckpoint = try Checkpoint(
                contentsOf: URL(fileURLWithPath: run + String(format: "/checkpoint-epoch-%03d.safetensors", best)))
            #expect(bestCheckpoint.parameters == epochCheckpoint.parameters)
            #expect(bestCheckpoint.configuration.validationSamples == 50)
            let configuration = try String(contentsOfFile: run + "/configuration.json", encoding: .utf8)
            #expect(configuration.contains("\"validationSamples\" : 50"))
        }
    }

    @Test func theValidationCountIsCheckedAndKeptOnResume() throws {
        try Self.withData { scratch, data in
            let run = scratch.path("run")
            for (count, expected) in [("0", "--validation"), ("-3", "--validation"), ("200", "--validation")] {
                let refused = try Executables.run(
                    "stbp", Self.arguments(data: data, output: scratch.path("refused")) + ["--validation", count])
                #expect(refused.status != 0 && refused.status < 128)
                #expect(refused.error.contains(expected), "\(count): \(refused.error)")
            }
            let first = try Executables.run(
                "stbp", Self.arguments(data: data, output: run) + ["--validation", "40", "--epochs", "1"])
            #expect(first.status == 0, "\(first.error)")
            let other = try Executables.run(
                "stbp", Self.arguments(data: data, output: run) + ["--validation", "30", "--resume"])
            #expect(other.status != 0 && other.error.contains("--validation"), "\(other.error)")
            let same = try Executables.run(
                "stbp", Self.arguments(data: data, output: run) + ["--validation", "40", "--resume"])
            #expect(same.status == 0, "\(same.error)")
            #expect(same.output.contains("160 training, 40 validation, 40 test samples"))
        }
    }

    @Test func theStepScheduleFitsInOneFlag() throws {
        try Self.withData { scratch, data in
            func schedule(_ flags: [String], _ name: String) throws -> String {
                let run = scratch.path(name)
                let result = try Executables.run(
                    "stbp", Self.arguments(data: data, output: run) + flags + ["--epochs", "1", "--train-limit", "20"])
                #expect(result.status == 0, "\(result.error)")
                let configuration = try Checkpoint(
                    contentsOf: URL(fileURLWithPath: run + "/checkpoint-last.safetensors")
                ).configuration
                return "\(configuration.schedule)"
            }
            let oneFlag = try schedule(["--schedule", "step:40,80"], "one")
            #expect(oneFlag == (try schedule(["--schedule", "step", "--milestones", "40,80"], "three")))
            #expect(oneFlag.contains("[40, 80]") && oneFlag.contains("0.1"))
            for flags in [
                ["--schedule", "cosine:3"], ["--schedule", "step:40,80", "--milestones", "40"],
                ["--schedule", "step:"], ["--schedule", "step:forty"],
            ] {
                let refused = try Executables.run(
                    "stbp", Self.arguments(data: data, output: scratch.path("bad")) + flags)
                #expect(refused.status != 0 && refused.status < 128)
                #expect(refused.error.contains("--schedule"), "\(flags): \(refused.error)")
            }
        }
    }
}
