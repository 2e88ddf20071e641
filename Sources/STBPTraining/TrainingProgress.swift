import STBPTensor

/// Where a run stands: enough to continue it exactly after a stop.
public struct TrainingProgress: Sendable, Codable, Equatable {
    /// The epoch being run (0-based); equals the epoch count when training is over.
    public var epoch = 0
    /// The next batch of `epoch` to train.
    public var batch = 0
    /// Optimizer steps taken so far.
    public var step = 0
    /// The training generator (dropout, Bernoulli coding) as hex words.
    public var generatorState: [String]
    /// The sum over the batches of `epoch` trained so far of loss × samples.
    public var epochLossSum: Double = 0
    /// Samples classified correctly in `epoch` so far.
    public var epochCorrect = 0
    /// Samples trained in `epoch` so far.
    public var epochSeen = 0
    /// Seconds spent training in `epoch` so far.
    public var epochSeconds: Double = 0
    /// The best accuracy so far on the validation samples, or on the test set when the run holds
    /// none out (`TrainingConfiguration.validationSamples`).
    public var bestAccuracy: Double?
    /// The epoch (0-based) of `bestAccuracy`.
    public var bestEpoch: Int?

    /// The start of a run whose training generator is `generator`.
    public init(generator: SeededGenerator) {
        generatorState = generator.state.map { String($0, radix: 16) }
    }

    /// Throws `CheckpointError` unless every field is one a run can have reached in `epochs`
    /// epochs: counts and sums not negative, the epoch at most `epochs`, four generator words
    /// not all zero, a best accuracy in [0, 1] at an earlier epoch.
    public func check(epochs: Int, path: String) throws(CheckpointError) {
        func fail(_ reason: String) -> CheckpointError { CheckpointError(path: path, reason: "progress: \(reason)") }
        guard epoch >= 0, epoch <= epochs else { throw fail("epoch \(epoch) is outside 0...\(epochs)") }
        guard batch >= 0, step >= 0, epochCorrect >= 0, epochSeen >= 0, epochCorrect <= epochSeen else {
            throw fail(
                "negative or inconsistent counts (batch \(batch), step \(step), \(epochCorrect) of \(epochSeen))")
        }
        guard epochLossSum.isFinite, epochLossSum >= 0, epochSeconds.isFinite, epochSeconds >= 0 else {
            throw fail("the epoch's loss sum \(epochLossSum) or seconds \(epochSeconds) are not finite and positive")
        }
        let words = generatorState.map { UInt64($0, radix: 16) }
        guard words.count == 4, words.allSatisfy({ $0 != nil }), words.contains(where: { $0 != 0 }) else {
            throw fail("the generator state \(generatorState) is not four hexadecimal words, not all zero")
        }
        if let bestAccuracy {
            guard bestAccuracy.isFinite, (0...1).contains(bestAccuracy), let bestEpoch, bestEpoch >= 0,
                bestEpoch < epoch
            else { throw fail("best accuracy \(bestAccuracy) at epoch \(String(describing: bestEpoch))") }
        }
    }

    /// The training generator.
    public var generator: SeededGenerator {
        get { SeededGenerator(state: generatorState.map { UInt64($0, radix: 16) ?? 0 }) }
        set { generatorState = newValue.state.map { String($0, radix: 16) } }
    }
}
