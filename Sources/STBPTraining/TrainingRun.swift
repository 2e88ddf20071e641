import Foundation
import STBPData
import STBPNetwork
import STBPTensor

/// One training run into a run folder, from the start or resumed from its last checkpoint: the
/// run loop that the `stbp train` tool and the example programs share.
///
///     var run = TrainingRun(configuration: configuration, dataset: "mnist", folder: URL(fileURLWithPath: "runs/mnist")) {
///         configuration in try DatasetKind.mnist.load(from: folder, options: DatasetOptions(timeSteps: configuration.timeSteps))
///     }
///     run.network = myNetwork             // a network composed in Swift (else the spec's)
///     let outcome = try run.run(events: { print($0) })
///
/// A new run refuses a folder that holds another run unless told to overwrite it (then it
/// removes that run's files first); a resumed run continues the folder's run under its own
/// configuration, with only the settings a resumed run may change taken from `configuration`
/// (`givenSettings`). Before the first step it checks that the network takes the data's samples
/// and scores its classes.
public struct TrainingRun {
    /// The run's settings; a new run writes them to configuration.json.
    public var configuration: TrainingConfiguration
    /// The network, when composed in Swift; nil builds the configuration's spec.
    public var network: Network?
    /// The loss, when it is one of your own; nil uses the configuration's.
    public var loss: Loss?
    /// Loads the training and test data for the run's final configuration (its T).
    public var loadData: (TrainingConfiguration) throws -> DatasetSplits
    /// The data set's name, recorded in configuration.json.
    public var dataset: String
    /// The run folder.
    public var folder: URL
    /// Continue the run in `folder` from its checkpoint-last.safetensors.
    public var resume = false
    /// When resuming: the settings of `configuration` that were asked for (flags given); those
    /// that a resumed run may change are applied, the others must equal the run's.
    public var givenSettings: Set<TrainingConfiguration.Setting> = []
    /// The flag that sets each setting, for messages.
    public var settingFlags: [TrainingConfiguration.Setting: String] = [:]
    /// Start a new run in a folder that holds another run, removing that run's files first.
    public var overwrite = false
    /// The most memory the run may need (`MemoryEstimate`), in bytes: the machine's by default.
    public var memoryLimit = MemorySize.physical
    /// A weight file (safetensors of `layers.<...>` tensors) to start a new run from.
    public var initialWeights: String?
    /// Write a step record to metrics.jsonl every this many optimizer steps.
    public var logEvery = 50
    /// Keep a checkpoint file for every epoch.
    public var keepEpochCheckpoints = false
    /// A folder for TensorBoard event files of the metrics and of each epoch's histograms
    /// (`TensorBoardWriter`; nil: none). A new run refuses one that holds event files unless told
    /// to overwrite (then it removes them); a resumed run adds a file there, without the steps
    /// the folder's files hold.
    public var tensorBoard: URL?
    /// The command line recorded in configuration.json.
    public var command: [String] = CommandLine.arguments
    /// The processes of a data-parallel run (nil: this process alone). Every process runs the
    /// same `TrainingRun`: each reads the data (and, resuming, the same checkpoint), builds the
    /// network, checks that its settings and data sizes equal rank 0's, takes rank 0's initial
    /// weights, then trains on its slice of every global batch (`Trainer.processGroup`). Only
    /// rank 0 writes the run folder and the TensorBoard files, logs and sees `events`.
    public var processGroup: (any ProcessGroup)?
    /// Run each batch as this many slices one after another (`Trainer.microBatches`): what as
    /// many MPI ranks compute, in one process. 1: whole batches.
    public var microBatches = 1
    /// The size of a gradient bucket of a data-parallel run, in bytes (`Trainer.gradientBucketBytes`).
    public var gradientBucketBytes = 4 << 20

    /// A run of `configuration` into `folder` on the data `loadData` reads.
    public init(
        configuration: TrainingConfiguration, dataset: String, folder: URL,
        loadData: @escaping (TrainingConfiguration) throws -> DatasetSplits
    ) {
        self.configuration = configuration
        self.dataset = dataset
        self.folder = folder
        self.loadData = loadData
    }

    /// How a run ended.
    public struct Outcome {
        /// Whether every epoch ran (false: stopped by `shouldStop`, after writing checkpoint-last).
        public let finished: Bool
        /// The trainer, with the network as it ended.
        public let trainer: Trainer
        /// The run folder.
        public let folder: RunFolder

        /// The best validation accuracy (test accuracy, when the run holds no validation samples
        /// out) and its epoch (from 1), if any epoch was evaluated.
        public var best: (accuracy: Double, epoch: Int)? {
            guard let accuracy = trainer.progress.bestAccuracy, let epoch = trainer.progress.bestEpoch else {
                return nil
            }
            return (accuracy, epoch + 1)
        }

        /// "Test accuracy 98.41% (best epoch 2). Run folder: runs/mnist", or "Validation accuracy …"
        /// when the run holds validation samples out.
        public var summary: String {
            guard let best else { return "Training stopped. Run folder: \(folder.url.path)" }
            return String(
                format: "%@ accuracy %.2f%% (best epoch %d). Run folder: %@",
                trainer.configuration.validationSamples == nil ? "Test" : "Validation", 100 * best.accuracy,
                best.epoch, folder.url.path)
        }
    }

    /// Trains the remaining epochs; `log` receives the summary lines printed before training,
    /// `events` every trainer event. Stops between steps when `shouldStop` turns true.
    public func run(
        shouldStop: () -> Bool = { false }, log logLine: (String) -> Void = { print($0) },
        events: (TrainingEvent) -> Void = { _ in }
    ) throws -> Outcome {
        let rank = processGroup?.rank ?? 0
        let isWriter = rank == 0
        func log(_ line: String) { if isWriter { logLine(line) } }
        let folder = try RunFolder(self.folder, create: isWriter)
        let checkpoint = resume ? try resumedCheckpoint(folder, log: { log($0) }) : nil
        let settings = checkpoint?.configuration ?? configuration
        let (splits, validationSet) = try heldOut(loadData(settings), settings)
        let trainer = try makeTrainer(resuming: checkpoint, splits: splits, folder: folder)
        try check(trainer, splits)
        trainer.microBatches = microBatches
        trainer.gradientBucketBytes = gradientBucketBytes
        if let processGroup { try join(processGroup, trainer, splits, startingIn: checkpoint == nil ? folder : nil) }
        if checkpoint == nil && processGroup == nil { try start(trainer, in: folder) }
        log("\(trainer.network.summary)")
        let processes = processGroup.map { "\($0.size) processes (MPI ranks) x " } ?? ""
        let validationCount = validationSet.map { "\($0.count) validation, " } ?? ""
        log(
            "\(splits.train.count) training, \(validationCount)\(splits.test.count) test samples, \(processes)"
                + "\(ComputeThreads.count) threads\(processGroup == nil ? "" : " each")")
        var train = BatchLoader(dataset: splits.train, batchSize: settings.batchSize, seed: settings.seed)
        var test = BatchLoader(dataset: splits.test, batchSize: settings.batchSize, shuffle: false)
        var validation = validationSet.map { BatchLoader(dataset: $0, batchSize: settings.batchSize, shuffle: false) }
        if let processGroup {
            (train.rank, train.ranks, test.rank, test.ranks) = (rank, processGroup.size, rank, processGroup.size)
            validation?.rank = rank
            validation?.ranks = processGroup.size
        }
        guard trainer.progress.batch <= train.batchCount else {
            throw CheckpointError(
                path: folder.lastCheckpointURL.path,
                reason: "progress: batch \(trainer.progress.batch) is past the \(train.batchCount) batches of an epoch")
        }
        let session = TrainingSession(
            trainer: trainer, folder: folder, train: train, test: test, logEvery: logEvery,
            keepEpochCheckpoints: keepEpochCheckpoints,
            rasterSample: splits.test.count > 0 ? try splits.test.sample(at: 0).input : nil)
        session.writes = isWriter
        session.validation = validation
        if isWriter {
            session.tensorBoard = try tensorBoard.map {
                try TensorBoardWriter(folder: $0, continuing: checkpoint != nil)
            }
        }
        let finished = try session.run(shouldStop: shouldStop, events: isWriter ? events : { _ in })
        return Outcome(finished: finished, trainer: trainer, folder: folder)
    }

    /// The data with the configuration's validation samples held out of its training part, and
    /// those samples (nil when it holds none out).
    func heldOut(_ splits: DatasetSplits, _ settings: TrainingConfiguration) throws -> (DatasetSplits, DatasetSubset?) {
        guard let count = settings.validationSamples else { return (splits, nil) }
        guard count < splits.train.count else {
            throw TrainingError.mismatch(
                "Cannot hold out \(count) validation samples of the \(splits.train.count) training samples of "
                    + "\(dataset); hold out fewer (stbp train --validation).")
        }
        let (rest, validation) = splits.train.holdingOut(count, seed: settings.seed)
        return (DatasetSplits(train: rest, test: splits.test), validation)
    }

    /// Joins the data-parallel group: every process's settings, data sizes and parameter shapes
    /// are checked against rank 0's; for a new run (`folder` given) rank 0 starts it there
    /// (`start`), and every process learns whether that failed; then every process takes rank
    /// 0's parameters. Collective: every process calls it.
    func join(
        _ group: any ProcessGroup, _ trainer: Trainer, _ splits: DatasetSplits, startingIn folder: RunFolder?
    )
        throws
    {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let settings = String(decoding: try encoder.encode(trainer.configuration), as: UTF8.self)
        let parameters = trainer.network.namedParameters.map { "\($0.name) \($0.parameter.value.shape)" }
        try group.checkSame(
            "dataset \(dataset)\ntraining samples \(splits.train.count)\ntest samples \(splits.test.count)\n"
                + "sample shape \(splits.inputShape)\nresume \(resume)\n" + parameters.joined(separator: "\n") + "\n"
                + settings,
            what: "settings, data or network")
        trainer.processGroup = group
        if let folder {
            var failure: Error?
            if group.rank == 0 {
                do {
                    try start(trainer, in: folder, processes: group.size)
                } catch {
                    failure = error
                }
            }
            if group.any(failure != nil) {
                throw failure
                    ?? TrainingError.mismatch("Rank 0 could not start the run in \(folder.url.path); see its error.")
            }
        }
        for (_, parameter) in trainer.network.namedParameters {
            var values = parameter.value.scalars
            group.broadcast(&values)
            parameter.value = Tensor(shape: parameter.value.shape, scalars: values)
        }
    }

    /// The trainer of a new run (the network takes the data's sample shape unless composed) or
    /// of the checkpoint's.
    func makeTrainer(resuming checkpoint: Checkpoint?, splits: DatasetSplits, folder: RunFolder) throws -> Trainer {
        var configuration = checkpoint?.configuration ?? self.configuration
        if checkpoint == nil { configuration.inputShape = network?.inputShape ?? splits.inputShape }
        if network == nil, let spec = configuration.spec {
            // A spec network is worked out before it is built: too large a one allocates nothing.
            do {
                let plan = try NetworkPlan(
                    NetworkSpec(spec), inputShape: configuration.inputShape, options: configuration.network)
                try checkMemory(configuration, splits) {
                    MemoryEstimate(plan, timeSteps: $0, batchSize: $1, training: true)
                }
            } catch  where checkpoint != nil {
                throw CheckpointError(path: folder.lastCheckpointURL.path, reason: "\(error)")
            }
        }
        guard let checkpoint else {
            return try network.map { try Trainer(network: $0, configuration: configuration, loss: loss) }
                ?? Trainer(configuration)
        }
        return try Trainer(resuming: checkpoint, network: network, loss: loss, path: folder.lastCheckpointURL.path)
    }

    /// The folder's last checkpoint, continued with the given settings that may change.
    func resumedCheckpoint(_ folder: RunFolder, log: (String) -> Void) throws -> Checkpoint {
        let url = folder.lastCheckpointURL
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TrainingError.mismatch(
                "Cannot resume: there is no checkpoint at \(url.path); start the run without resuming.")
        }
        var checkpoint = try Checkpoint(contentsOf: url)
        let (configuration, changes) = try checkpoint.configuration.resumed(
            with: self.configuration, given: givenSettings, flags: settingFlags)
        checkpoint.configuration = configuration
        let progress = checkpoint.progress
        log("Resuming \(folder.url.path) at epoch \(progress.epoch + 1), batch \(progress.batch).")
        if !changes.isEmpty { log("Changed on resuming: \(changes.joined(separator: ", ")).") }
        return checkpoint
    }

    /// Clears the folder for a new run (refusing one that holds a run unless `overwrite`) and
    /// writes the configuration; sets the initial weights when given.
    func start(_ trainer: Trainer, in folder: RunFolder, processes: Int = 1) throws {
        if folder.holdsRun {
            guard overwrite else {
                throw TrainingError.mismatch(
                    "\(folder.url.path) holds a run (its configuration, metrics or checkpoints); resume it, choose "
                        + "another output folder, or overwrite it (stbp train --overwrite).")
            }
            try folder.removeRun()
        }
        if let tensorBoard, case let files = TensorBoardWriter.eventFiles(in: tensorBoard), !files.isEmpty {
            guard overwrite else {
                throw TrainingError.mismatch(
                    "\(tensorBoard.path) holds TensorBoard event files of another run; choose another folder for "
                        + "them, or overwrite the run (stbp train --overwrite), which removes them.")
            }
            for file in files { try FileManager.default.removeItem(at: file) }
        }
        if let initialWeights {
            try trainer.network.loadParameters(
                from: try SafeTensors(contentsOf: URL(fileURLWithPath: initialWeights)), path: initialWeights)
        }
        try folder.writeConfiguration(
            trainer.configuration, dataset: dataset, command: command, processes: processes)
    }

    /// The data fits the network (`DatasetSplits.check`) and a training step fits in `memoryLimit`.
    func check(_ trainer: Trainer, _ splits: DatasetSplits) throws {
        try splits.check(fits: trainer.network, dataset: dataset)
        try checkMemory(trainer.configuration, splits) {
            MemoryEstimate(trainer.network, timeSteps: $0, batchSize: $1, training: true)
        }
    }

    /// Throws when `estimate(T, N)` of a training step exceeds `memoryLimit`.
    func checkMemory(
        _ configuration: TrainingConfiguration, _ splits: DatasetSplits, _ estimate: (Int, Int) -> MemoryEstimate
    ) throws {
        let (timeSteps, batchSize) = (splits.frames ?? configuration.timeSteps, configuration.batchSize)
        try estimate(timeSteps, batchSize).check(
            limit: memoryLimit, what: "Training on batches of \(batchSize) over \(timeSteps) steps")
    }
}
