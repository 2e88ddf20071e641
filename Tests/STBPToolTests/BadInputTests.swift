import Foundation
import STBP
import Testing

/// Bad input of every class, driven through the `stbp` executable: each gets an error that names
/// the argument, file or field, exits with a status below 128 (no trap, no crash) and writes
/// nothing it should not.
@Suite(.serialized) struct BadInputTests {
    /// Runs `stbp` and expects a clean refusal whose standard error contains every one of `words`.
    @discardableResult
    func expectRefusal(
        _ arguments: [String], mentioning words: [String], sourceLocation: SourceLocation = #_sourceLocation
    )
        throws -> Executables.Result
    {
        let result = try Executables.run("stbp", arguments)
        #expect(
            result.status > 0 && result.status < 128, "status \(result.status): \(result.error)",
            sourceLocation: sourceLocation)
        #expect(!result.error.contains("Fatal error"), "\(result.error)", sourceLocation: sourceLocation)
        for word in words {
            #expect(
                result.error.contains(word), "\(arguments) should mention \(word): \(result.error)",
                sourceLocation: sourceLocation)
        }
        return result
    }

    /// A small MNIST-format folder and the arguments of a quick run on it.
    struct Setup {
        let scratch: ScratchFolder
        var data: String { scratch.path("data") }

        init() throws {
            scratch = try ScratchFolder()
            try SyntheticImages.writeMNISTFolder(
                at: scratch.url.appendingPathComponent("data"), trainCount: 20, testCount: 10, seed: 3)
        }

        func train(_ output: String, _ extra: [String] = []) -> [String] {
            [
                "train", "--data", data, "--model", "4C3-AP2-10", "--epochs", "1", "--batch-size", "10",
                "--time-steps", "2", "--threads", "1", "--output", scratch.path(output),
            ] + extra
        }
    }

    static let numbers: [(arguments: [String], flag: String)] = [
        (["--batch-size", "0"], "--batch-size"), (["--batch-size", "9223372036854775807"], "--batch-size"),
        (["--threads", "0"], "--threads"), (["--time-steps", "0"], "--time-steps"), (["--epochs", "-1"], "--epochs"),
        (["--learning-rate", "nan"], "--learning-rate"), (["--learning-rate", "0"], "--learning-rate"),
        (["--beta1", "1"], "--beta1"), (["--momentum", "1.5"], "--momentum"),
        (["--neunorm-decay", "2"], "--neunorm-decay"),
        (["--votes", "0"], "--votes"), (["--decay", "1.5"], "--decay"),
        (["--surrogate-width", "0"], "--surrogate-width"),
        (["--surrogate", "square"], "--surrogate"), (["--dvs-size", "0"], "--dvs-size"),
        (["--dvs-size", "129"], "--dvs-size"), (["--train-per-class", "0"], "--train-per-class"),
        (["--test-limit", "0"], "--test-limit"), (["--train-limit", "-3"], "--train-limit"),
        (["--shift", "15"], "--shift"),
        (["--log-every", "0"], "--log-every"), (["--memory-limit", "lots"], "--memory-limit"),
        (["--warmup-steps", "-1"], "--warmup-steps"), (["--schedule", "step", "--milestones", "4,,8"], "--milestones"),
        (["--gamma", "inf"], "--gamma"), (["--init-gain", "-1", "--weight-init", "orthogonal"], "--init-gain"),
        (["--event-split", "fast"], "--event-split"), (["--adam-epsilon", "0"], "--adam-epsilon"),
    ]

    @Test(arguments: numbers)
    func aNumberOutOfRangeIsRefusedNamingItsFlag(_ bad: (arguments: [String], flag: String)) throws {
        try expectRefusal(["train", "--data", "/nonexistent"] + bad.arguments, mentioning: [bad.flag])
    }

    @Test func otherCommandsRefuseTheirNumbersToo() throws {
        try expectRefusal(
            ["evaluate", "--checkpoint", "x", "--data", "y", "--batch-size", "0"], mentioning: ["--batch-size"])
        try expectRefusal(
            ["evaluate", "--checkpoint", "x", "--data", "y", "--threads", "0"], mentioning: ["--threads"])
        try expectRefusal(
            ["grad", "--model", "10", "--input", "x", "--output", "y", "--time-steps", "0"],
            mentioning: ["--time-steps"])
        try expectRefusal(["bench", "--config", "mnist", "--iterations", "0"], mentioning: ["--iterations"])
        try expectRefusal(["bench-data", "--threads", "0"], mentioning: ["--threads"])
        try expectRefusal(["summary", "--model", "10", "--classes", "0"], mentioning: ["classes"])
    }

    @Test func shapesAndSpecSizesAreCheckedBeforeAnythingIsAllocated() throws {
        try expectRefusal(["summary", "--model", "10", "--input-shape", "1x28x28x"], mentioning: ["--input-shape"])
        try expectRefusal(["summary", "--model", "10", "--input-shape", "0x28x28"], mentioning: ["--input-shape"])
        try expectRefusal(
            ["summary", "--model", "10", "--input-shape", "9223372036854775807x2x2"], mentioning: ["--input-shape"])
        try expectRefusal(
            ["summary", "--model", "32C3-10", "--input-shape", "1000000000000000000x1x1"], mentioning: ["overflow"])
        try expectRefusal(["summary", "--model", "999999999C999999999-10"], mentioning: ["token 0", "overflow"])
        // summary works a huge network out without building it, and says what it would need.
        let huge = try Executables.run("stbp", ["summary", "--model", "999999999C3-10"])
        #expect(huge.status == 0 && huge.output.contains("GB"), "\(huge.error)")
        let setup = try Setup()
        defer { setup.scratch.remove() }
        try expectRefusal(setup.train("huge", ["--model", "999999999C3-10"]), mentioning: ["GB", "memory"])
        try expectRefusal(
            setup.train("wide", ["--model", "4C3-AP2-10", "--batch-size", "2000000000"]),
            mentioning: ["memory", "batches of 2000000000"])
        try expectRefusal(setup.train("tight", ["--memory-limit", "1K"]), mentioning: ["--memory-limit"])
        #expect(!FileManager.default.fileExists(atPath: setup.scratch.path("huge/checkpoint-last.safetensors")))
    }

    @Test func dataThatDoesNotFitTheNetworkIsRefusedBeforeTheFirstStep() throws {
        let setup = try Setup()
        defer { setup.scratch.remove() }
        // Test images of another size than the training images.
        let mixed = setup.scratch.url.appendingPathComponent("mixed")
        try FileManager.default.createDirectory(at: mixed, withIntermediateDirectories: true)
        for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try FileManager.default.copyItem(
                at: setup.scratch.url.appendingPathComponent("data/\(name)"), to: mixed.appendingPathComponent(name))
        }
        try Data(IDXArray(dimensions: [10, 20, 20], bytes: [UInt8](repeating: 9, count: 4000)).encoded())
            .write(to: mixed.appendingPathComponent("t10k-images-idx3-ubyte"))
        try expectRefusal(
            ["train", "--data", mixed.path, "--model", "4C3-AP2-10", "--output", setup.scratch.path("mixed-run")],
            mentioning: ["[1, 28, 28]", "[1, 20, 20]"])

        // An MNIST checkpoint evaluated on CIFAR-10 data.
        #expect(try Executables.run("stbp", setup.train("run")).status == 0)
        let cifar = setup.scratch.url.appendingPathComponent("cifar")
        try SyntheticImages.writeCIFAR10Folder(at: cifar, recordsPerBatch: 4, testCount: 4, seed: 1)
        try expectRefusal(
            [
                "evaluate", "--checkpoint", setup.scratch.path("run/checkpoint-last.safetensors"), "--dataset",
                "cifar10",
                "--data", cifar.path,
            ], mentioning: ["[1, 28, 28]", "[3, 32, 32]"])
    }

    /// A checkpoint of a finished one-epoch run, changed by `edit`, then resumed and evaluated.
    func expectCheckpointRefused(
        _ setup: Setup, _ name: String, mentioning words: [String], evaluate: Bool = true,
        _ edit: (inout Checkpoint) -> Void
    ) throws {
        let folder = setup.scratch.path(name)
        let url = URL(fileURLWithPath: folder + "/checkpoint-last.safetensors")
        var checkpoint = try Checkpoint(
            contentsOf: URL(fileURLWithPath: setup.scratch.path("run/checkpoint-last.safetensors")))
        edit(&checkpoint)
        try checkpoint.write(to: url)
        try expectRefusal(
            ["train", "--data", setup.data, "--threads", "1", "--output", folder, "--resume", "--epochs", "2"],
            mentioning: [url.path] + words)
        if evaluate {
            try expectRefusal(
                ["evaluate", "--checkpoint", url.path, "--data", setup.data], mentioning: [url.path] + words)
        }
    }

    @Test func everyCheckpointFieldIsCheckedBeforeUse() throws {
        let setup = try Setup()
        defer { setup.scratch.remove() }
        #expect(try Executables.run("stbp", setup.train("run")).status == 0)
        try expectCheckpointRefused(setup, "adam-shape", mentioning: ["exp_avg.layers.0.weight", "shape"]) {
            $0.optimizerState["exp_avg.layers.0.weight"] = Tensor(zeros: [3])
        }
        try expectCheckpointRefused(setup, "adam-nan", mentioning: ["step.layers.0.bias", "whole number"]) {
            $0.optimizerState["step.layers.0.bias"] = Tensor(scalar: .nan)
        }
        try expectCheckpointRefused(setup, "adam-huge", mentioning: ["step.layers.0.bias"]) {
            $0.optimizerState["step.layers.0.bias"] = Tensor(scalar: 1e30)
        }
        try expectCheckpointRefused(setup, "adam-stray", mentioning: ["exp_avg.layers.9.weight"]) {
            $0.optimizerState["exp_avg.layers.9.weight"] = Tensor(zeros: [3])
        }
        try expectCheckpointRefused(setup, "parameter-stray", mentioning: ["layers.7.weight"]) {
            $0.parameters["layers.7.weight"] = Tensor(zeros: [3])
        }
        try expectCheckpointRefused(setup, "parameter-shape", mentioning: ["layers.2.weight"]) {
            $0.parameters["layers.2.weight"] = Tensor(zeros: [3])
        }
        try expectCheckpointRefused(setup, "batch", mentioning: ["progress", "batch"]) { $0.progress.batch = -1 }
        // Evaluation uses no batch position; only resuming does.
        try expectCheckpointRefused(setup, "past", mentioning: ["progress", "batch 99"], evaluate: false) {
            $0.progress.batch = 99
        }
        try expectCheckpointRefused(setup, "generator", mentioning: ["generator"]) {
            $0.progress.generatorState = ["zz", "1"]
        }
        try expectCheckpointRefused(setup, "best", mentioning: ["best accuracy"]) { $0.progress.bestAccuracy = 2 }
        try expectCheckpointRefused(setup, "batch-size", mentioning: ["configuration.batchSize"]) {
            $0.configuration.batchSize = 0
        }
        try expectCheckpointRefused(setup, "time-steps", mentioning: ["configuration.timeSteps"]) {
            $0.configuration.timeSteps = -2
        }
        try expectCheckpointRefused(setup, "input-shape", mentioning: ["configuration.inputShape"]) {
            $0.configuration.inputShape = [Int.max, 2, 2]
        }
        try expectCheckpointRefused(setup, "classes", mentioning: ["configuration.network.classes"]) {
            $0.configuration.network.classes = 0
        }
        try expectCheckpointRefused(setup, "spec", mentioning: ["4C3-AP2-10X", "token 2"]) {
            $0.configuration.spec = "4C3-AP2-10X"
        }
        try expectCheckpointRefused(setup, "huge-spec", mentioning: ["memory"]) {
            $0.configuration.spec = "999999999C3-10"
        }
    }

    @Test func resumeAppliesTheFlagsItMayChangeAndRefusesTheOthers() throws {
        let setup = try Setup()
        defer { setup.scratch.remove() }
        #expect(try Executables.run("stbp", setup.train("run")).status == 0)
        try expectRefusal(
            setup.train("run", ["--resume", "--batch-size", "5"]), mentioning: ["--resume", "--batch-size"])
        try expectRefusal(setup.train("run", ["--resume", "--decay", "0.3"]), mentioning: ["neuron"])
        try expectRefusal(setup.train("run", ["--resume", "--seed", "4"]), mentioning: ["--seed"])
        let resumed = try Executables.run(
            "stbp", setup.train("run", ["--resume", "--epochs", "2", "--learning-rate", "0.002"]))
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(resumed.output.contains("Changed on resuming: --epochs, --learning-rate"), "\(resumed.output)")
        let checkpoint = try Checkpoint(
            contentsOf: URL(fileURLWithPath: setup.scratch.path("run/checkpoint-last.safetensors")))
        #expect(checkpoint.configuration.epochs == 2 && checkpoint.configuration.optimizer.learningRate == 0.002)
        #expect(checkpoint.progress.epoch == 2)
    }

    @Test func aNewRunNeverMixesWithTheRunAFolderHolds() throws {
        let setup = try Setup()
        defer { setup.scratch.remove() }
        #expect(try Executables.run("stbp", setup.train("run")).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: setup.scratch.path("run/metrics.jsonl")))
        try expectRefusal(setup.train("run", ["--model", "6C3-AP2-10"]), mentioning: ["holds a run", "--overwrite"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: setup.scratch.path("run/metrics.jsonl"))) == before)
        // A start that fails (a network the data does not fit) with --overwrite removes nothing either.
        try expectRefusal(
            setup.train("run", ["--model", "6C3-AP2-12", "--overwrite"]), mentioning: ["12 classes"])
        #expect(FileManager.default.fileExists(atPath: setup.scratch.path("run/checkpoint-best.safetensors")))
        let replaced = try Executables.run(
            "stbp", setup.train("run", ["--model", "6C3-AP2-10", "--overwrite", "--epochs", "1"]))
        #expect(replaced.status == 0, "\(replaced.error)")
        let checkpoint = try Checkpoint(
            contentsOf: URL(fileURLWithPath: setup.scratch.path("run/checkpoint-last.safetensors")))
        #expect(checkpoint.configuration.spec == "6C3-AP2-10")
    }

    @Test func anUpdateThatMakesWeightsNonFiniteStopsBeforeWritingAnything() throws {
        let setup = try Setup()
        defer { setup.scratch.remove() }
        try expectRefusal(
            setup.train(
                "nan", ["--optimizer", "sgd", "--momentum", "0", "--learning-rate", "3e38", "--weight-decay", "3e38"]),
            mentioning: ["NaN or infinite", "without writing"])
        for name in ["checkpoint-last.safetensors", "checkpoint-best.safetensors"] {
            #expect(!FileManager.default.fileExists(atPath: setup.scratch.path("nan/\(name)")), "\(name)")
        }
    }

    @Test func evaluateShowsACheckpointsOwnError() throws {
        let setup = try Setup()
        defer { setup.scratch.remove() }
        let url = setup.scratch.url.appendingPathComponent("old-format.safetensors")
        try SafeTensors(entries: ["layers.0.weight": .float32(Tensor([1]))], metadata: ["format": "stbp-checkpoint-0"])
            .write(to: url)
        let result = try expectRefusal(
            ["evaluate", "--checkpoint", url.path, "--data", setup.data], mentioning: ["stbp-checkpoint-0"])
        #expect(!result.error.contains("give the network with --model"))
    }
}
