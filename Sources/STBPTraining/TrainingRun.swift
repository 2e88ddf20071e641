import Foundation
import STBPData
import STBPNetwork
import STBPTensor

/// One training run into a run folder, from the start or resumed from its last checkpoint: the
/// run loop that the `stbp train` tool and the example programs share.
///
///     var run = TrainingRun(configuration: configuration, splits: splits, dataset: "mnist",
///                           folder: URL(fileURLWithPath: "runs/mnist"))
///     run.network = myNetwork             // a network composed in Swift (else the spec's)
///     let outcome = try run.run { event in print(event) }
///
/// Before the first step it checks that the network takes the data's samples and scores its
/// classes, and, when resuming, that the checkpoint belongs to the network it continues.
public struct TrainingRun {
    /// The run's settings; a new run writes them to configuration.json.
    public var configuration: TrainingConfiguration
    /// The network, when composed in Swift; nil builds the configuration's spec.
    public var network: Network?
    /// The loss, when it is one of your own; nil uses the configuration's.
    public var loss: Loss?
    /// The training and test data.
    public var splits: DatasetSplits
    /// The data set's name, recorded in configuration.json.
    public var dataset: String
    /// The run folder.
    public var folder: URL
    /// Continue the run in `folder` from its checkpoint-last.safetensors.
    public var resume = false
    /// A weight file (safetensors of `layers.<...>` tensors) to start a new run from.
    public var initialWeights: String?
    /// Write a step record to metrics.jsonl every this many optimizer steps.
    public var logEvery = 50
    /// Keep a checkpoint file for every epoch.
    public var keepEpochCheckpoints = false
    /// The command line recorded in configuration.json.
    public var command: [String] = CommandLine.arguments

    /// A run of `configuration` on `splits` into `folder`.
    public init(configuration: TrainingConfiguration, splits: DatasetSplits, dataset: String, folder: URL) {
        self.configuration = configuration
        self.splits = splits
        self.dataset = dataset
        self.folder = folder
    }

    /// How a run ended.
    public struct Outcome {
        /// Whether every epoch ran (false: stopped by `shouldStop`, after writing checkpoint-last).
        public let finished: Bool
        /// The trainer, with the network as it ended.
        public let trainer: Trainer
        /// The run folder.
        public let folder: RunFolder

        /// The best test accuracy and its epoch (from 1), if any epoch was evaluated.
        public var best: (accuracy: Double, epoch: Int)? {
            guard let accuracy = trainer.progress.bestAccuracy, let epoch = trainer.progress.bestEpoch else {
                return nil
            }
            return (accuracy, epoch + 1)
        }

        /// "Test accuracy 98.41% (best epoch 2). Run folder: runs/mnist".
        public var summary: String {
            guard let best else { return "Training stopped. Run folder: \(folder.url.path)" }
            return String(
                format: "Test accuracy %.2f%% (best epoch %d). Run folder: %@", 100 * best.accuracy, best.epoch,
                folder.url.path)
        }
    }

    /// Trains the remaining epochs; `log` receives the summary lines printed before training,
    /// `events` every trainer event. Stops between steps when `shouldStop` turns true.
    public func run(
        shouldStop: () -> Bool = { false }, log: (String) -> Void = { print($0) },
        events: (TrainingEvent) -> Void = { _ in }
    ) throws -> Outcome {
        let folder = try RunFolder(self.folder)
        let trainer = try makeTrainer(folder, log: log)
        try check(trainer)
        log("\(trainer.network.summary)")
        log("\(splits.train.count) training and \(splits.test.count) test samples, \(ComputeThreads.count) threads")
        let configuration = trainer.configuration
        let session = TrainingSession(
            trainer: trainer, folder: folder,
            train: BatchLoader(dataset: splits.train, batchSize: configuration.batchSize, seed: configuration.seed),
            test: BatchLoader(dataset: splits.test, batchSize: configuration.batchSize, shuffle: false),
            logEvery: logEvery, keepEpochCheckpoints: keepEpochCheckpoints,
            rasterSample: splits.test.count > 0 ? try splits.test.sample(at: 0).input : nil)
        let finished = try session.run(shouldStop: shouldStop, events: events)
        return Outcome(finished: finished, trainer: trainer, folder: folder)
    }

    /// The trainer of a new run (written to configuration.json) or of the run in `folder`.
    func makeTrainer(_ folder: RunFolder, log: (String) -> Void) throws -> Trainer {
        if resume {
            let url = folder.lastCheckpointURL
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw TrainingError.mismatch(
                    "Cannot resume: there is no checkpoint at \(url.path); start the run without resuming.")
            }
            let trainer = try Trainer(
                resuming: try Checkpoint(contentsOf: url), network: network, loss: loss, path: url.path)
            log("Resuming \(folder.url.path) at epoch \(trainer.progress.epoch + 1), batch \(trainer.progress.batch).")
            return trainer
        }
        let trainer =
            try network.map { try Trainer(network: $0, configuration: configuration, loss: loss) }
            ?? Trainer(configuration)
        if let initialWeights {
            try trainer.network.loadParameters(
                from: try SafeTensors(contentsOf: URL(fileURLWithPath: initialWeights)), path: initialWeights)
        }
        try? FileManager.default.removeItem(at: folder.metricsURL)
        try folder.writeConfiguration(trainer.configuration, dataset: dataset, command: command)
        return trainer
    }

    /// The network takes the data's samples and scores its classes.
    func check(_ trainer: Trainer) throws {
        let network = trainer.network
        let name = network.spec?.text ?? "The network"
        let sample = splits.inputShape
        guard sample == network.inputShape else {
            throw TrainingError.mismatch(
                "\(name) takes samples of shape \(network.inputShape) but \(dataset) has samples of shape \(sample).")
        }
        guard network.classes == splits.classNames.count else {
            throw TrainingError.mismatch(
                "\(name) scores \(network.classes) classes but \(dataset) has \(splits.classNames.count).")
        }
    }
}
