import Foundation
import STBP
import Testing

@Suite struct ToolTests {
    @Test func trainHelpListsEveryOptionWithItsDefault() throws {
        let result = try Executables.run("stbp", ["train", "--help"])
        #expect(result.status == 0)
        for option in [
            "--model", "--dataset", "--data", "--epochs", "--batch-size", "--time-steps", "--optimizer",
            "--learning-rate",
            "--seed", "--threads", "--output", "--resume", "--decay", "--threshold", "--surrogate", "--loss",
            "--schedule",
        ] {
            #expect(result.output.contains(option), "\(option)")
        }
        // Help text wraps; compare with whitespace collapsed.
        let text = result.output.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        #expect(text.contains("(default: 32C3-AP2-32C3-AP2-128FC-10)"))
        #expect(text.contains("default: adam)") && text.contains("(default: 100)"))
    }

    @Test func aWrongFlagGetsAOneLineErrorAndAHint() throws {
        let result = try Executables.run("stbp", ["train", "--data", "x", "--epoch", "3"])
        #expect(result.status != 0)
        let lines = result.error.split(separator: "\n")
        #expect(lines.first?.contains("--epoch") == true)
        #expect(result.error.contains("--help"))
    }

    @Test func aMissingDataFolderGetsAnErrorNamingItAndWhereToGetTheData() throws {
        let result = try Executables.run("stbp", ["train", "--data", "/nonexistent/mnist", "--epochs", "1"])
        #expect(result.status != 0)
        #expect(result.error.contains("/nonexistent/mnist") && result.error.contains("t10k-images-idx3-ubyte"))
    }

    @Test func summaryPrintsShapesParametersAndWork() throws {
        let result = try Executables.run(
            "stbp",
            ["summary", "--model", "128C3-128C3-AP2-384C3-384C3-AP2-1024FC-512FC-Voting", "--input-shape", "2x34x34"])
        #expect(result.status == 0)
        #expect(
            result.output.contains("384x8x8") && result.output.contains("Voting") && result.output.contains("total"))
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../STBPNetworkTests/Fixtures").standardizedFileURL

    @Test(arguments: ["time", "layer"])
    func gradReproducesThePyTorchFixture(order: String) throws {
        let fixture = Self.fixtures.appendingPathComponent("events_voting.safetensors")
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let result = try Executables.run(
            "stbp",
            [
                "grad", "--model", "8C3(Encoding)-AP2-16C3-AP2-32FC-Voting", "--input", fixture.path, "--weights",
                fixture.path,
                "--loop-order", order, "--output", scratch.path("out.safetensors"),
            ])
        #expect(result.status == 0, "\(result.error)")
        let expected = try SafeTensors(contentsOf: fixture)
        let exported = try SafeTensors(contentsOf: URL(fileURLWithPath: scratch.path("out.safetensors")))
        let names = exported.entries.keys.filter { $0.hasPrefix("grad.") } + ["output", "loss"]
        #expect(names.count == 10)
        for name in names {
            let difference = exported.float32(name)!.relativeDifference(to: expected.float32(name)!)
            #expect(difference < 1e-4, "\(name): \(difference)")
        }
    }

    @Test func gradNamesAWeightThatDoesNotFit() throws {
        let fixture = Self.fixtures.appendingPathComponent("mnist_static.safetensors").path
        let result = try Executables.run(
            "stbp",
            [
                "grad", "--model", "32C3-AP2-64C3-AP2-128FC-10", "--input", fixture, "--weights", fixture,
                "--output", "/tmp/stbp-unused.safetensors",
            ])
        #expect(result.status != 0)
        #expect(
            result.error.contains("layers.2.weight") && result.error.contains("[64, 32, 3, 3]")
                && result.error.contains("[32, 32, 3, 3]"))
    }
}

/// Weights saved elsewhere (e.g. from PyTorch) under the package's names load in `evaluate` and
/// `train --init`.
@Suite struct WeightInteropTests {
    @Test func foreignWeightsEvaluateAndInitialiseTraining() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        try SyntheticImages.writeMNISTFolder(
            at: scratch.url.appendingPathComponent("data"), trainCount: 40, testCount: 20, seed: 2)
        let network = try Network("8C3-AP2-10", inputShape: [1, 28, 28], seed: 42)
        let weights = network.parameterTensors.mapValues { SafeTensors.Entry.float32($0 * 2) }
        try SafeTensors(entries: weights).write(to: URL(fileURLWithPath: scratch.path("w.safetensors")))

        let evaluated = try Executables.run(
            "stbp",
            [
                "evaluate", "--checkpoint", scratch.path("w.safetensors"), "--model", "8C3-AP2-10", "--data",
                scratch.path("data"),
                "--time-steps", "2",
            ])
        #expect(evaluated.status == 0, "\(evaluated.error)")
        #expect(evaluated.output.contains("confusion matrix") && evaluated.output.contains("per-class accuracy"))

        let trained = try Executables.run(
            "stbp",
            [
                "train", "--model", "8C3-AP2-10", "--data", scratch.path("data"), "--init",
                scratch.path("w.safetensors"),
                "--epochs", "1", "--batch-size", "20", "--time-steps", "2", "--learning-rate", "1e-12", "--output",
                scratch.path("run"),
            ])
        #expect(trained.status == 0, "\(trained.error)")
        // With a learning rate of 1e-12 the trained weights are still the file's.
        let checkpoint = try Checkpoint(
            contentsOf: URL(fileURLWithPath: scratch.path("run/checkpoint-last.safetensors")))
        #expect(
            checkpoint.parameters["layers.0.weight"]!.relativeDifference(
                to: network.parameterTensors["layers.0.weight"]! * 2) < 1e-6)

        let mismatched = try Executables.run(
            "stbp",
            [
                "evaluate", "--checkpoint", scratch.path("w.safetensors"), "--model", "16C3-AP2-10", "--data",
                scratch.path("data"),
            ])
        #expect(mismatched.status != 0 && mismatched.error.contains("layers.0.weight"))
    }
}
