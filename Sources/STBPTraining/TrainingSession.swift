import Foundation
import STBPData
import STBPNetwork
import STBPTensor

/// A trainer tied to a run folder: it logs metrics, writes checkpoints (each epoch, the best,
/// and on a stop request) and redraws the plots, so that `resume` can continue it exactly.
public final class TrainingSession {
    /// The trainer.
    public let trainer: Trainer
    /// The run folder.
    public let folder: RunFolder
    /// The training batches.
    public let train: BatchLoader
    /// The test batches, evaluated after each epoch (nil: none).
    public let test: BatchLoader?
    /// Training samples held out, evaluated after each epoch to pick the best one (nil: none;
    /// the test set picks it).
    public var validation: BatchLoader?
    /// Write a "step" metrics record every this many optimizer steps.
    public var logEvery: Int
    /// Also keep checkpoint-epoch-<n>.safetensors for every epoch.
    public var keepEpochCheckpoints: Bool
    /// The sample whose spikes raster.svg shows.
    public var rasterSample: Tensor?
    /// Where the metrics also go as TensorBoard scalars, with histograms of the weights and of
    /// the neurons' firing rates each epoch (nil: nowhere). It is flushed after each epoch's
    /// metrics record, before its checkpoint, and when the run stops.
    public var tensorBoard: TensorBoardWriter?
    /// Whether this process writes the folder: metrics, checkpoints and plots (true; false on
    /// the processes of a data-parallel run other than rank 0, which only train).
    public var writes = true

    /// A session for `trainer` writing into `folder`.
    public init(
        trainer: Trainer, folder: RunFolder, train: BatchLoader, test: BatchLoader?, logEvery: Int = 50,
        keepEpochCheckpoints: Bool = false, rasterSample: Tensor? = nil
    ) {
        self.trainer = trainer
        self.folder = folder
        self.train = train
        self.test = test
        self.logEvery = max(1, logEvery)
        self.keepEpochCheckpoints = keepEpochCheckpoints
        self.rasterSample = rasterSample
    }

    /// Trains the remaining epochs. Returns false when `shouldStop` ended it early (after writing
    /// checkpoint-last). `events` sees every trainer event.
    @discardableResult
    public func run(shouldStop: () -> Bool = { false }, events: (TrainingEvent) -> Void = { _ in }) throws -> Bool {
        if writes { try folder.truncateMetrics(afterStep: trainer.progress.step) }
        defer { try? tensorBoard?.flush() }
        let configuration = trainer.configuration
        let finished = try trainer.fit(
            train: train, validation: validation, test: test, shouldStop: shouldStop,
            afterEpoch: { report, _ in if self.writes { try self.recordEpoch(report) } },
            events: { event in
                guard self.writes else { return events(event) }
                if case .step(let step) = event, step.step % self.logEvery == 0 { try? self.recordStep(step) }
                if case .interrupted = event {
                    try? self.tensorBoard?.flush()
                    try? self.trainer.checkpoint().write(to: self.folder.lastCheckpointURL)
                }
                events(event)
            })
        if finished && writes {
            try RunPlots.draw(
                in: folder, network: trainer.network, sample: rasterSample, timeSteps: configuration.timeSteps,
                encoding: configuration.encoding)
        }
        return finished
    }

    func recordStep(_ step: StepReport) throws {
        var record: [String: MetricValue] = [
            "kind": "step", "epoch": .number(Double(step.epoch)), "batch": .number(Double(step.batch)),
            "step": .number(Double(step.step)), "loss": .number(step.loss), "accuracy": .number(step.accuracy),
            "learning_rate": .number(step.learningRate), "samples_per_second": .number(step.samplesPerSecond),
            "epoch_progress": .number(Double(step.epoch - 1) + Double(step.batch + 1) / Double(step.batchCount)),
        ]
        for (index, rate) in step.firingRates { record["firing_rate.\(index)"] = .number(rate) }
        try folder.appendMetrics(record)
        tensorBoard?.add(step)
    }

    /// Logs the epoch, then writes the checkpoints: a run killed in between resumes from the
    /// previous checkpoint, which drops this record and trains the epoch again.
    func recordEpoch(_ report: EpochReport) throws {
        var record: [String: MetricValue] = [
            "kind": "epoch", "epoch": .number(Double(report.epoch)), "step": .number(Double(report.step)),
            "train_loss": .number(report.trainLoss), "train_accuracy": .number(report.trainAccuracy),
            "samples_per_second": .number(report.samplesPerSecond), "seconds": .number(report.seconds),
            "learning_rate": .number(report.learningRate),
        ]
        if let loss = report.testLoss { record["test_loss"] = .number(loss) }
        if let accuracy = report.testAccuracy { record["test_accuracy"] = .number(accuracy) }
        if let loss = report.validationLoss { record["validation_loss"] = .number(loss) }
        if let accuracy = report.validationAccuracy { record["validation_accuracy"] = .number(accuracy) }
        for (index, rate) in report.firingRates { record["firing_rate.\(index)"] = .number(rate) }
        try folder.appendMetrics(record)
        if let tensorBoard {
            tensorBoard.add(report, network: trainer.network, neuronFiringRates: try histogramFiringRates(report))
            try tensorBoard.flush()
        }
        let checkpoint = trainer.checkpoint()
        try checkpoint.write(to: folder.lastCheckpointURL)
        if report.isBest { try checkpoint.write(to: folder.bestCheckpointURL) }
        if keepEpochCheckpoints {
            try checkpoint.write(
                to: folder.url.appendingPathComponent(String(format: "checkpoint-epoch-%03d.safetensors", report.epoch))
            )
        }
        try RunPlots.draw(
            in: folder, network: trainer.network, sample: rasterSample, timeSteps: trainer.configuration.timeSteps,
            encoding: trainer.configuration.encoding)
    }

    /// Each neuron's firing rate for the TensorBoard histograms, over the test set's first batches
    /// or, without test samples, the epoch's last training batches: as many batches as hold at
    /// most 1,000 samples (an extra forward pass, so bounded), and at least one.
    func histogramFiringRates(_ report: EpochReport) throws -> [String: [Float]] {
        // Rank 0 alone draws these, from whole batches.
        if var test, test.dataset.count > 0 {
            test.ranks = 1
            return try trainer.neuronFiringRates(test, batches: 0..<max(1, 1000 / test.batchSize))
        }
        var train = self.train
        train.ranks = 1
        let batches = max(1, 1000 / train.batchSize)
        return try trainer.neuronFiringRates(
            train, epoch: report.epoch - 1, batches: train.batchCount - batches..<train.batchCount)
    }
}
