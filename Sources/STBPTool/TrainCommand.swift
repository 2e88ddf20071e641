import ArgumentParser
import Foundation
import STBP

#if MPI
    import STBPDistributed
#endif

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a spiking network on a data set with STBP.",
        discussion: """
            Writes a run folder (--output): configuration.json, metrics.jsonl (one JSON object per line, \
            "kind" "step" every --log-every steps and "epoch" after each epoch with train_loss, test_loss, \
            test_accuracy and samples_per_second), checkpoint-last.safetensors and checkpoint-best.safetensors, \
            and SVG plots. A folder that holds another run is refused unless --overwrite. Ctrl-C writes a \
            checkpoint before stopping; --resume continues from it under the run's own configuration: it \
            applies --epochs, --learning-rate and the schedule's flags, and refuses other flags that differ \
            from the run's. --tensorboard DIR also writes the metrics as TensorBoard scalars into DIR, with \
            histograms of the weights and the neurons' firing rates after each epoch (tensorboard --logdir DIR).
            """)

    @Option(help: "The network in the paper's notation (default: 32C3-AP2-32C3-AP2-128FC-10).")
    var model: String?

    @OptionGroup var data: DataOptions
    @OptionGroup var neuron: NeuronOptions

    @Option(help: "Passes over the training set (default: 2).")
    var epochs: Int?

    @Option(help: "Samples per optimizer step (default: 100).")
    var batchSize: Int?

    @Option(help: "Time steps T, also the frames per event recording (default: 8).")
    var timeSteps: Int?

    @Option(help: "Input encoding of static images: direct or bernoulli (default: direct).")
    var encoding: Encoding?

    @Option(help: "Loss on the readout: mse or cross-entropy (default: mse).")
    var loss: Loss?

    @Option(help: "Optimizer: sgd, adam or adamw (default: adam).")
    var optimizer: OptimizerConfiguration.Kind?

    @Option(help: "Base learning rate (default: 0.001).")
    var learningRate: Float?

    @Option(help: "SGD momentum, in [0, 1) (default: 0.9).")
    var momentum: Float?

    @Flag(inversion: .prefixedNo, help: "SGD with Nesterov momentum (default: off).")
    var nesterov: Bool?

    @Option(help: "Weight decay: L2 for sgd and adam, decoupled for adamw (default: 0).")
    var weightDecay: Float?

    @Option(help: "Adam's beta1, in [0, 1) (default: 0.9).")
    var beta1: Float?

    @Option(help: "Adam's beta2, in [0, 1) (default: 0.999).")
    var beta2: Float?

    @Option(help: "Adam's epsilon (default: 1e-8).")
    var adamEpsilon: Float?

    @Option(help: "Factor on the learning rate of dense layers, 0.1 in the authors' CIFAR-10 code (default: 1).")
    var denseLrScale: Float?

    @Option(
        help: ArgumentHelp(
            "Learning-rate schedule: constant, step or cosine; step:E1,E2,... is step with those milestones, "
                + "step:40,80 the authors' MNIST schedule (default: constant)."))
    var schedule: String?

    @Option(help: "Step schedule: comma-separated epochs where the rate is multiplied by --gamma.")
    var milestones: String?

    @Option(help: "Step schedule: the factor at each milestone (default: 0.1).")
    var gamma: Float?

    @Option(help: "Cosine schedule: the final rate as a fraction of the base rate (default: 0).")
    var cosineMinimum: Float?

    @Option(help: "Optimizer steps of linear warm-up (default: 0).")
    var warmupSteps: Int?

    @Option(help: "Seed of initialisation, shuffling, augmentation and dropout (default: 0).")
    var seed: UInt64?

    @Option(
        help: ArgumentHelp(
            "Hold this many training samples out, chosen at random from the seed, and keep the checkpoint of the "
                + "epoch with the best accuracy on them, not on the test set (default: none).", valueName: "count"))
    var validation: Int?

    @Option(
        help:
            "Threads for OpenBLAS and the package's loops, per process under mpirun (default: all cores; under mpirun the cores it bound the process to)."
    )
    var threads: Int?

    @Option(
        help: ArgumentHelp(
            "Run each batch as this many slices one after another, summing their gradients before the step: what "
                + "as many MPI ranks compute (the reference of the distributed tests), with the memory of one slice."))
    var microBatches: Int = 1

    @Option(
        help: ArgumentHelp(
            "Under mpirun: the size of the flat buffers in which gradients are summed across ranks while the "
                + "backward pass runs, in bytes (default: 4 MiB).", valueName: "bytes"))
    var bucketBytes: Int = 4 << 20

    @Option(help: "The run folder.")
    var output: String = "runs/latest"

    @Option(help: "The most memory training may need, e.g. 8G or 512M (default: the machine's memory).")
    var memoryLimit: String?

    @Flag(help: "Continue the run in --output from its checkpoint-last.safetensors.")
    var resume = false

    @Flag(
        help: ArgumentHelp(
            "Start a new run in --output even though it holds another run, removing that run's files (and the "
                + "event files in --tensorboard)."))
    var overwrite = false

    @Option(help: "Initial weights (safetensors with layers.<i>.weight/bias, e.g. saved from PyTorch).")
    var `init`: String?

    @Option(help: "Write a step record to metrics.jsonl every this many steps.")
    var logEvery: Int = 50

    @Flag(help: "Keep a checkpoint file for every epoch.")
    var keepEpochCheckpoints = false

    @Option(
        help: ArgumentHelp(
            "Also write TensorBoard event files into this folder: each metrics record's numbers as scalars, and "
                + "histograms of the weights and firing rates after each epoch.", valueName: "dir"))
    var tensorboard: String?

    /// The configuration setting each flag sets, for --resume.
    static let settingFlags: [TrainingConfiguration.Setting: String] = [
        .spec: "--model", .network: "the neuron and network flags", .timeSteps: "--time-steps",
        .encoding: "--encoding", .loss: "--loss", .epochs: "--epochs", .batchSize: "--batch-size",
        .optimizer: "the optimizer's flags", .learningRate: "--learning-rate", .schedule: "the schedule's flags",
        .seed: "--seed", .validation: "--validation",
    ]

    /// The settings whose flags were given.
    var givenSettings: Set<TrainingConfiguration.Setting> {
        let given: [(TrainingConfiguration.Setting, Bool)] = [
            (.spec, model != nil), (.network, neuron.isGiven), (.timeSteps, timeSteps != nil),
            (.encoding, encoding != nil), (.loss, loss != nil), (.epochs, epochs != nil),
            (.batchSize, batchSize != nil),
            (
                .optimizer,
                [optimizer as Any?, momentum, nesterov, weightDecay, beta1, beta2, adamEpsilon, denseLrScale]
                    .contains { $0 != nil }
            ),
            (.learningRate, learningRate != nil),
            (.schedule, [schedule as Any?, milestones, gamma, cosineMinimum, warmupSteps].contains { $0 != nil }),
            (.seed, seed != nil), (.validation, validation != nil),
        ]
        return Set(given.filter(\.1).map(\.0))
    }

    mutating func validate() throws {
        try ArgumentCheck.count("--threads", threads)
        try ArgumentCheck.count("--log-every", logEvery)
        try ArgumentCheck.count("--micro-batches", microBatches)
        try ArgumentCheck.count("--bucket-bytes", bucketBytes)
        _ = try parseMemory(memoryLimit, option: "--memory-limit")
        try ArgumentCheck.positive("--gamma", gamma)
        try ArgumentCheck.number("--cosine-minimum", cosineMinimum, 0...1)
        try requestedConfiguration(classes: 1).check(names: Self.flagNames)
        if let tensorboard { try Self.checkFolder("--tensorboard", tensorboard) }
        if resume && overwrite {
            throw ValidationError("--resume continues the folder's run; --overwrite replaces it.")
        }
    }

    /// Throws unless `path` is a folder, or can be created as one: its nearest existing ancestor
    /// is a folder that can be written.
    static func checkFolder(_ option: String, _ path: String) throws {
        guard !path.isEmpty else { throw ValidationError("\(option) needs a folder, got \"\".") }
        var url = URL(fileURLWithPath: path).standardizedFileURL
        var isFolder: ObjCBool = false
        while !FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) && url.path != "/" {
            url = url.deletingLastPathComponent()
        }
        guard isFolder.boolValue else {
            throw ValidationError("\(option) \(path): \(url.path) is a file, not a folder.")
        }
        guard FileManager.default.isWritableFile(atPath: url.path) else {
            throw ValidationError("\(option) \(path): the folder \(url.path) cannot be written.")
        }
    }

    /// Each configuration setting's flag, for messages.
    static let flagNames = [
        "timeSteps": "--time-steps", "epochs": "--epochs", "batchSize": "--batch-size",
        "optimizer.learningRate": "--learning-rate", "optimizer.momentum": "--momentum",
        "optimizer.weightDecay": "--weight-decay", "optimizer.beta1": "--beta1", "optimizer.beta2": "--beta2",
        "optimizer.epsilon": "--adam-epsilon", "optimizer.denseLearningRateScale": "--dense-lr-scale",
        "optimizer.nesterov": "--nesterov", "schedule.warmupSteps": "--warmup-steps",
        "schedule.milestones": "--milestones", "schedule.factor": "--gamma", "schedule.epochs": "--epochs",
        "schedule.minimumFactor": "--cosine-minimum", "validationSamples": "--validation",
    ].merging(NeuronOptions.flagNames.map { ("network.\($0.key)", $0.value) }) { a, _ in a }

    /// The configuration the flags ask for (defaults where not given), for `classes` classes.
    func requestedConfiguration(classes: Int) throws -> TrainingConfiguration {
        let epochs = self.epochs ?? 2
        return TrainingConfiguration(
            spec: model ?? "32C3-AP2-32C3-AP2-128FC-10", inputShape: [1],
            network: try neuron.networkOptions(classes: classes), timeSteps: timeSteps ?? 8,
            encoding: encoding ?? .direct, loss: loss ?? .meanSquaredError, epochs: epochs,
            batchSize: batchSize ?? 100,
            optimizer: OptimizerConfiguration(
                kind: optimizer ?? .adam, learningRate: learningRate ?? 1e-3, momentum: momentum ?? 0.9,
                nesterov: nesterov ?? false, weightDecay: weightDecay ?? 0, beta1: beta1 ?? 0.9,
                beta2: beta2 ?? 0.999, epsilon: adamEpsilon ?? 1e-8, denseLearningRateScale: denseLrScale ?? 1),
            schedule: try learningRateSchedule(epochs: epochs), seed: seed ?? 0, validationSamples: validation)
    }

    /// The schedule of --schedule (its "step:E1,E2" form, or its name with --milestones),
    /// --gamma, --cosine-minimum and --warmup-steps, for a run of `epochs` epochs.
    func learningRateSchedule(epochs: Int) throws -> LearningRateSchedule {
        let warmup = warmupSteps ?? 0
        let parts = (schedule ?? "constant").split(separator: ":", maxSplits: 1).map(String.init)
        let inlineMilestones = parts.count > 1 ? parts[1] : nil
        if inlineMilestones != nil && (parts[0] != "step" || milestones != nil) {
            throw ValidationError(
                "--schedule \"\(schedule ?? "")\": only step takes milestones after a colon (step:40,80), and then "
                    + "without --milestones.")
        }
        switch parts.first ?? "" {
        case "constant":
            return LearningRateSchedule(decay: .constant, warmupSteps: warmup)
        case "step":
            let text = inlineMilestones ?? milestones ?? ""
            let epochs = text.split(separator: ",", omittingEmptySubsequences: false).map {
                Int($0.trimmingCharacters(in: .whitespaces))
            }
            guard !epochs.isEmpty, epochs.allSatisfy({ $0 != nil }) else {
                throw ValidationError(
                    "--schedule step needs milestones like step:40,80 (or --milestones 40,80), got \"\(text)\".")
            }
            return LearningRateSchedule(
                decay: .step(milestones: epochs.map { $0! }, factor: gamma ?? 0.1), warmupSteps: warmup)
        case "cosine":
            return LearningRateSchedule(
                decay: .cosine(epochs: epochs, minimumFactor: cosineMinimum ?? 0), warmupSteps: warmup)
        default:
            throw ValidationError(
                "--schedule \"\(schedule ?? "")\" is unknown; expected constant, step, step:E1,E2,... or cosine.")
        }
    }

    func run() throws {
        #if MPI
            if let group = try MPIProcessGroup.joinLaunchedJob(threads: threads) {
                // A failing rank ends the whole job (MPI_Abort) after printing its error, so that
                // no other rank waits for it in a collective.
                do {
                    return try train(group: group)
                } catch let exit as ExitCode {
                    throw exit
                } catch {
                    group.abort("Error: \(error)")
                }
            }
        #else
            try MPILauncher.refuseSeveralProcesses(program: "stbp train")
        #endif
        if let threads { ComputeThreads.set(threads) }
        try train(group: nil)
    }

    /// Trains, as one process of a data-parallel `group` or alone (nil).
    func train(group: (any ProcessGroup)?) throws {
        let data = self.data
        var run = TrainingRun(
            configuration: try requestedConfiguration(classes: data.dataset.classCount), dataset: data.dataset.rawValue,
            folder: URL(fileURLWithPath: output)
        ) { configuration in
            try data.load(timeSteps: configuration.timeSteps)
        }
        run.resume = resume
        run.overwrite = overwrite
        run.givenSettings = givenSettings
        run.settingFlags = Self.settingFlags
        run.initialWeights = self.`init`
        run.logEvery = logEvery
        run.keepEpochCheckpoints = keepEpochCheckpoints
        run.tensorBoard = tensorboard.map { URL(fileURLWithPath: $0) }
        run.processGroup = group
        run.microBatches = microBatches
        run.gradientBucketBytes = bucketBytes
        if let limit = try parseMemory(memoryLimit, option: "--memory-limit") { run.memoryLimit = limit }
        let interrupt = InterruptRequest()
        var progress = ConsoleProgress()
        let outcome = try run.run(shouldStop: { interrupt.isRequested }, events: { progress.show($0) })
        guard outcome.finished else { throw ExitCode(130) }
        if group?.rank ?? 0 == 0 { print(outcome.summary) }
    }
}
