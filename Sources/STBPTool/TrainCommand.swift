import ArgumentParser
import Foundation
import STBP

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a spiking network on a data set with STBP.",
        discussion: """
            Writes a run folder (--output): configuration.json, metrics.jsonl (one JSON object per line, \
            "kind" "step" every --log-every steps and "epoch" after each epoch with train_loss, test_loss, \
            test_accuracy and samples_per_second), checkpoint-last.safetensors and checkpoint-best.safetensors, \
            and SVG plots. Ctrl-C writes a checkpoint before stopping; --resume continues from it.
            """)

    @Option(help: "The network in the paper's notation.")
    var model: String = "32C3-AP2-32C3-AP2-128FC-10"

    @OptionGroup var data: DataOptions
    @OptionGroup var neuron: NeuronOptions

    @Option(help: "Passes over the training set.")
    var epochs: Int = 2

    @Option(help: "Samples per optimizer step.")
    var batchSize: Int = 100

    @Option(help: "Time steps T (also the number of frames per event recording).")
    var timeSteps: Int = 8

    @Option(help: "Input encoding of static images: direct or bernoulli.")
    var encoding: Encoding = .direct

    @Option(help: "Loss on the readout: mse or cross-entropy.")
    var loss: Loss = .meanSquaredError

    @Option(help: "Optimizer: sgd, adam or adamw.")
    var optimizer: OptimizerConfiguration.Kind = .adam

    @Option(help: "Base learning rate.")
    var learningRate: Float = 1e-3

    @Option(help: "SGD momentum.")
    var momentum: Float = 0.9

    @Flag(help: "SGD with Nesterov momentum.")
    var nesterov = false

    @Option(help: "Weight decay (L2 for sgd and adam, decoupled for adamw).")
    var weightDecay: Float = 0

    @Option(help: "Adam's beta1.")
    var beta1: Float = 0.9

    @Option(help: "Adam's beta2.")
    var beta2: Float = 0.999

    @Option(help: "Adam's epsilon.")
    var adamEpsilon: Float = 1e-8

    @Option(help: "Factor on the learning rate of dense and voting layers (0.1 in the authors' CIFAR-10 code).")
    var denseLrScale: Float = 1

    @Option(help: "Learning-rate schedule: constant, step or cosine.")
    var schedule: String = "constant"

    @Option(help: "Step schedule: comma-separated epochs where the rate is multiplied by --gamma.")
    var milestones: String = ""

    @Option(help: "Step schedule: the factor at each milestone.")
    var gamma: Float = 0.1

    @Option(help: "Cosine schedule: the final rate as a fraction of the base rate.")
    var cosineMinimum: Float = 0

    @Option(help: "Optimizer steps of linear warm-up.")
    var warmupSteps: Int = 0

    @Option(help: "Seed of initialisation, shuffling, augmentation and dropout.")
    var seed: UInt64 = 0

    @Option(help: "Threads for OpenBLAS and the package's loops (default: all cores).")
    var threads: Int?

    @Option(help: "The run folder.")
    var output: String = "runs/latest"

    @Flag(help: "Continue the run in --output from its checkpoint-last.safetensors.")
    var resume = false

    @Option(help: "Initial weights (safetensors with layers.<i>.weight/bias, e.g. saved from PyTorch).")
    var `init`: String?

    @Option(help: "Write a step record to metrics.jsonl every this many steps.")
    var logEvery: Int = 50

    @Flag(help: "Keep a checkpoint file for every epoch.")
    var keepEpochCheckpoints = false

    mutating func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs).") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize).") }
        guard timeSteps >= 1 else { throw ValidationError("--time-steps must be at least 1, got \(timeSteps).") }
        guard learningRate > 0 else { throw ValidationError("--learning-rate must be positive, got \(learningRate).") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads).") }
    }

    func learningRateSchedule() throws -> LearningRateSchedule {
        switch schedule {
        case "constant":
            return LearningRateSchedule(decay: .constant, warmupSteps: warmupSteps)
        case "step":
            let epochs = milestones.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !epochs.isEmpty, epochs.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--schedule step needs --milestones like 40,80, got \"\(milestones)\".")
            }
            return LearningRateSchedule(
                decay: .step(milestones: epochs.map { $0! }, factor: gamma), warmupSteps: warmupSteps)
        case "cosine":
            return LearningRateSchedule(
                decay: .cosine(epochs: epochs, minimumFactor: cosineMinimum), warmupSteps: warmupSteps)
        default:
            throw ValidationError("--schedule \"\(schedule)\" is unknown; expected constant, step or cosine.")
        }
    }

    func run() throws {
        if let threads { ComputeThreads.set(threads) }
        let splits = try data.load(timeSteps: timeSteps)
        let configuration = TrainingConfiguration(
            spec: model, inputShape: splits.inputShape,
            network: try neuron.networkOptions(classes: splits.classNames.count), timeSteps: timeSteps,
            encoding: encoding, loss: loss, epochs: epochs, batchSize: batchSize,
            optimizer: OptimizerConfiguration(
                kind: optimizer, learningRate: learningRate, momentum: momentum, nesterov: nesterov,
                weightDecay: weightDecay, beta1: beta1, beta2: beta2, epsilon: adamEpsilon,
                denseLearningRateScale: denseLrScale),
            schedule: try learningRateSchedule(), seed: seed)
        var run = TrainingRun(
            configuration: configuration, splits: splits, dataset: data.dataset.rawValue,
            folder: URL(fileURLWithPath: output))
        run.resume = resume
        run.initialWeights = self.`init`
        run.logEvery = logEvery
        run.keepEpochCheckpoints = keepEpochCheckpoints
        let interrupt = InterruptRequest()
        var progress = ConsoleProgress(epochs: configuration.epochs)
        let outcome = try run.run(shouldStop: { interrupt.isRequested }, events: { progress.show($0) })
        guard outcome.finished else { throw ExitCode(130) }
        print(outcome.summary)
    }
}
