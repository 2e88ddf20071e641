extension TrainingConfiguration {
    /// A group of settings, as flags name them.
    public enum Setting: String, Sendable, CaseIterable {
        /// The spec.
        case spec
        /// The network options (neurons, votes, NeuNorm decay, dropout masks, initialisation).
        case network
        /// T.
        case timeSteps
        /// The input encoding.
        case encoding
        /// The loss.
        case loss
        /// The number of epochs.
        case epochs
        /// The batch size.
        case batchSize
        /// The optimizer's settings but for its learning rate.
        case optimizer
        /// The base learning rate.
        case learningRate
        /// The learning-rate schedule.
        case schedule
        /// The seed.
        case seed
        /// The training samples held out for validation.
        case validation

        /// The settings a resumed run may change; the others stay as the run began.
        public static let changeableOnResume: Set<Setting> = [.epochs, .learningRate, .schedule]

        /// Whether `a` and `b` agree on this setting.
        func agrees(_ a: TrainingConfiguration, _ b: TrainingConfiguration) -> Bool {
            switch self {
            case .spec: a.spec == b.spec
            case .network: a.network == b.network
            case .timeSteps: a.timeSteps == b.timeSteps
            case .encoding: a.encoding == b.encoding
            case .loss: a.loss == b.loss
            case .epochs: a.epochs == b.epochs
            case .batchSize: a.batchSize == b.batchSize
            case .optimizer:
                a.optimizer.with(learningRate: 0) == b.optimizer.with(learningRate: 0)
            case .learningRate: a.optimizer.learningRate == b.optimizer.learningRate
            case .schedule: a.schedule == b.schedule
            case .seed: a.seed == b.seed
            case .validation: a.validationSamples == b.validationSamples
            }
        }

        /// `to` with this setting taken from `from`.
        func copy(from: TrainingConfiguration, to: inout TrainingConfiguration) {
            switch self {
            case .spec: to.spec = from.spec
            case .network: to.network = from.network
            case .timeSteps: to.timeSteps = from.timeSteps
            case .encoding: to.encoding = from.encoding
            case .loss: to.loss = from.loss
            case .epochs: to.epochs = from.epochs
            case .batchSize: to.batchSize = from.batchSize
            case .optimizer: to.optimizer = from.optimizer.with(learningRate: to.optimizer.learningRate)
            case .learningRate: to.optimizer.learningRate = from.optimizer.learningRate
            case .schedule: to.schedule = from.schedule
            case .seed: to.seed = from.seed
            case .validation: to.validationSamples = from.validationSamples
            }
        }
    }

    /// This (a saved run's) configuration continued with the `given` settings of `requested`:
    /// those that may change on resume are applied and listed in `changes`; a given setting that
    /// differs but may not change throws `InvalidArgument` naming its flag (`flags` maps settings to
    /// flag names) and the run's value, so that no flag is silently ignored.
    public func resumed(
        with requested: TrainingConfiguration, given: Set<Setting>, flags: [Setting: String]
    ) throws -> (configuration: TrainingConfiguration, changes: [String]) {
        var result = self
        var changes: [String] = []
        var conflicts: [String] = []
        for setting in Setting.allCases where given.contains(setting) && !setting.agrees(self, requested) {
            let flag = flags[setting] ?? setting.rawValue
            if Setting.changeableOnResume.contains(setting) {
                setting.copy(from: requested, to: &result)
                changes.append(flag)
            } else {
                conflicts.append(flag)
            }
        }
        guard conflicts.isEmpty else {
            throw InvalidArgument(
                argument: "--resume",
                expected: "given only the flags a resumed run may change ("
                    + Setting.changeableOnResume.map { flags[$0] ?? $0.rawValue }.sorted().joined(separator: ", ")
                    + ") or the run's own values",
                given: conflicts.joined(separator: ", ") + " differing from the run's configuration")
        }
        return (result, changes)
    }
}

extension OptimizerConfiguration {
    /// The same settings with another learning rate.
    func with(learningRate: Float) -> OptimizerConfiguration {
        var copy = self
        copy.learningRate = learningRate
        return copy
    }
}
