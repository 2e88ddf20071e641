/// What happened after one optimizer step.
public struct StepReport: Sendable, Codable {
    /// The epoch number (from 1) and the batch within it (from 0).
    public var epoch: Int
    /// The run's number of epochs.
    public var epochs: Int
    /// The batch within the epoch, from 0.
    public var batch: Int
    /// Batches in this epoch.
    public var batchCount: Int
    /// Optimizer steps taken so far, this one included.
    public var step: Int
    /// This batch's loss.
    public var loss: Double
    /// This batch's accuracy.
    public var accuracy: Double
    /// The mean loss over the epoch so far.
    public var epochLoss: Double
    /// The accuracy over the epoch so far.
    public var epochAccuracy: Double
    /// The learning rate used for this step.
    public var learningRate: Double
    /// Training samples per second over the epoch so far.
    public var samplesPerSecond: Double
    /// Seconds spent in this epoch so far.
    public var elapsedSeconds: Double
    /// This batch's firing rate of each spiking layer, by path (a spec network's token index).
    public var firingRates: [String: Double]
}

/// What happened in one epoch: training figures and the evaluation on the test set.
public struct EpochReport: Sendable, Codable {
    /// The epoch number, from 1.
    public var epoch: Int
    /// The run's number of epochs.
    public var epochs: Int
    /// Optimizer steps taken so far.
    public var step: Int
    /// The mean training loss over the epoch.
    public var trainLoss: Double
    /// The training accuracy over the epoch.
    public var trainAccuracy: Double
    /// The mean test loss, when a test set was evaluated.
    public var testLoss: Double?
    /// The test accuracy, when a test set was evaluated.
    public var testAccuracy: Double?
    /// The mean loss on the held-out validation samples, when the run holds some out.
    public var validationLoss: Double?
    /// The accuracy on the held-out validation samples, which picks the best epoch when present.
    public var validationAccuracy: Double?
    /// Training samples per second over the epoch.
    public var samplesPerSecond: Double
    /// Seconds spent training in the epoch.
    public var seconds: Double
    /// The learning rate of the epoch's last step.
    public var learningRate: Double
    /// The test set's firing rate of each spiking layer, by path (a spec network's token index).
    public var firingRates: [String: Double]
    /// Whether this epoch's validation accuracy (or, without validation samples, test accuracy) is
    /// the best so far.
    public var isBest: Bool

    enum CodingKeys: String, CodingKey {
        case epoch, epochs, step, seconds
        case trainLoss = "train_loss", trainAccuracy = "train_accuracy", testLoss = "test_loss"
        case testAccuracy = "test_accuracy", samplesPerSecond = "samples_per_second", learningRate = "learning_rate"
        case firingRates = "firing_rates", isBest = "is_best"
        case validationLoss = "validation_loss", validationAccuracy = "validation_accuracy"
    }
}

/// The events a trainer reports while it runs; tools turn them into progress bars and logs.
public enum TrainingEvent: Sendable {
    /// An optimizer step ended.
    case step(StepReport)
    /// An epoch ended, with the test set's evaluation when there is one.
    case epoch(EpochReport, Evaluation?)
    /// Training stopped early at a request (e.g. Ctrl-C) after writing a checkpoint.
    case interrupted(TrainingProgress)
}

/// Training could not go on.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// The loss became NaN or infinite; the update was not applied and no checkpoint was written.
    case nonFiniteLoss(epoch: Int, batch: Int, step: Int, loss: Float)
    /// A parameter's gradient holds NaN or infinity; the update was not applied.
    case nonFiniteGradient(epoch: Int, batch: Int, step: Int, parameter: String)
    /// An optimizer step turned a parameter NaN or infinite; the run stopped before writing anything.
    case nonFiniteWeights(epoch: Int, batch: Int, step: Int, parameter: String)
    /// A batch's labels or inputs do not fit the network.
    case mismatch(String)

    /// What happened and what to try.
    public var description: String {
        switch self {
        case .nonFiniteLoss(let epoch, let batch, let step, let loss):
            "The loss became \(loss) at step \(step) (epoch \(epoch + 1), batch \(batch + 1)); training stopped before "
                + "applying it, and the last checkpoint is untouched. Try a lower learning rate."
        case .nonFiniteGradient(let epoch, let batch, let step, let parameter):
            "The gradient of \(parameter) became NaN or infinite at step \(step) (epoch \(epoch + 1), batch \(batch + 1)); "
                + "training stopped before applying it, and the last checkpoint is untouched. Check the inputs for NaN "
                + "and try a lower learning rate."
        case .nonFiniteWeights(let epoch, let batch, let step, let parameter):
            "The optimizer step \(step) (epoch \(epoch + 1), batch \(batch + 1)) made \(parameter) NaN or infinite; "
                + "training stopped without writing a checkpoint, and the last checkpoint is untouched. Check the "
                + "optimizer's settings (a β of 1 divides by zero) and try a lower learning rate."
        case .mismatch(let message): message
        }
    }
}
