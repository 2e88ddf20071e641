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
    /// Sums over the batches of `epoch` trained so far: loss × samples, correct and seen samples.
    public var epochLossSum: Double = 0
    public var epochCorrect = 0
    public var epochSeen = 0
    /// Seconds spent training in `epoch` so far.
    public var epochSeconds: Double = 0
    /// The best test accuracy so far and its epoch.
    public var bestAccuracy: Double?
    public var bestEpoch: Int?

    /// The start of a run whose training generator is `generator`.
    public init(generator: SeededGenerator) {
        generatorState = generator.state.map { String($0, radix: 16) }
    }

    /// The training generator.
    public var generator: SeededGenerator {
        get { SeededGenerator(state: generatorState.map { UInt64($0, radix: 16) ?? 0 }) }
        set { generatorState = newValue.state.map { String($0, radix: 16) } }
    }
}
