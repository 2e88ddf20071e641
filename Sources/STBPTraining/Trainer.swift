import Foundation
import STBPData
import STBPNetwork
import STBPTensor

/// Trains a network with STBP: epochs of batches, an optimizer step per batch, evaluation,
/// events for progress and logs, checkpoints that resume exactly.
///
///     // A network in the paper's notation:
///     let trainer = try Trainer(TrainingConfiguration(spec: "32C3-AP2-32C3-AP2-128FC-10", inputShape: [1, 28, 28]))
///     // Any network composed in Swift, with any loss:
///     let trainer = try Trainer(network: network, configuration: configuration, loss: myLoss)
///     try trainer.fit(train: trainLoader, test: testLoader) { event in print(event) }
public final class Trainer {
    /// The run's configuration.
    public let configuration: TrainingConfiguration
    /// The network being trained.
    public let network: Network
    /// The loss on the readout.
    public let loss: Loss
    /// The optimizer.
    public let optimizer: Optimizer
    /// Where the run stands.
    public private(set) var progress: TrainingProgress
    /// The processes of a data-parallel run (nil: this process alone). With a group, every
    /// process runs this trainer on its slice of each global batch (`BatchLoader.rank`):
    /// gradients are summed over the processes in buckets while the backward pass runs
    /// (`gradientBucketBytes`), every process applies the same optimizer step, and the step's
    /// loss, accuracy, firing rates and each evaluation's counts are summed over the processes,
    /// so every process reports what a single process training on the global batches would.
    public var processGroup: (any ProcessGroup)? {
        didSet { buckets = nil }
    }
    /// The size of a gradient bucket in bytes, in a data-parallel run (default 4 MiB).
    public var gradientBucketBytes = 4 << 20 {
        didSet { buckets = nil }
    }
    var buckets: GradientBuckets?
    /// Splits each batch into this many slices, run one after another, whose gradients (each
    /// scaled by its share n_slice / N) are summed before the step: what as many processes of a
    /// data-parallel run compute together, in one process (the reference the distributed tests
    /// compare two MPI ranks with, bit for bit), with the memory of one slice. 1: the whole
    /// batch at once. Ignored with a `processGroup`.
    public var microBatches = 1
    /// The spiking layers' paths, for summing firing rates over processes.
    private lazy var spikingPaths: [String] = network(
        Tensor(zeros: [1] + network.inputShape), options: forwardOptions(training: false),
        generator: &scratchGenerator
    ).firingRates.keys.sorted()
    private var scratchGenerator = SeededGenerator(seed: 0)

    /// In a data-parallel run: the bytes of gradients summed per step, and the seconds spent
    /// waiting for those sums after the backward pass (communication not hidden by it) since the
    /// trainer was made; zeros without a process group.
    public var communication: (bytesPerStep: Int, waitSeconds: Double) {
        (buckets?.bytesPerStep ?? 0, buckets?.waitSeconds ?? 0)
    }

    /// A new run of the network the configuration's spec names, initialised from its seed.
    public convenience init(_ configuration: TrainingConfiguration) throws {
        try configuration.check()
        guard let spec = configuration.spec else {
            throw TrainingError.mismatch(
                "The configuration names no spec: its network was composed in Swift, so only a program that composes "
                    + "it again can rebuild it (Trainer(network:configuration:), Trainer(resuming:network:))")
        }
        try self.init(
            network: Network(
                spec, inputShape: configuration.inputShape, options: configuration.network, seed: configuration.seed),
            configuration: configuration)
    }

    /// A new run training `network` with the configuration's optimizer, schedule, batch size and
    /// seed, and `loss` (the configuration's loss when nil). The configuration records the
    /// network's input shape and loss, and its spec when the network was built from one.
    public init(network: Network, configuration: TrainingConfiguration, loss: Loss? = nil) throws {
        try configuration.check()
        var configuration = configuration
        configuration.inputShape = network.inputShape
        configuration.spec = network.options == nil ? nil : network.spec?.text
        if let options = network.options { configuration.network = options }
        if let loss { configuration.loss = loss }
        guard configuration.loss.isResolved else {
            throw TrainingError.mismatch(
                "The loss \"\(configuration.loss.name)\" is not built in; give it to the Trainer (loss:).")
        }
        self.configuration = configuration
        self.network = network
        self.loss = configuration.loss
        optimizer = configuration.optimizer.makeOptimizer(for: network)
        progress = TrainingProgress(generator: SeededGenerator(seed: configuration.seed &+ 0x7472_6169_6E))
    }

    /// A run continued from a checkpoint: parameters, optimizer state and progress restored.
    /// A checkpoint of a network composed in Swift needs that network (freshly made) and, for a
    /// loss of your own, that loss.
    public convenience init(
        resuming checkpoint: Checkpoint, network: Network? = nil, loss: Loss? = nil, path: String = "checkpoint"
    ) throws {
        do {
            var configuration = checkpoint.configuration
            if let loss { configuration.loss = loss }
            if let network {
                try self.init(network: network, configuration: configuration)
            } else {
                try self.init(configuration)
            }
            try restore(checkpoint, path: path)
        } catch let error as CheckpointError {
            throw error
        } catch let error as WeightLoadingError {
            throw error
        } catch {
            throw CheckpointError(path: path, reason: "\(error)")
        }
    }

    /// Sets the parameters, optimizer state and progress from `checkpoint`, each checked first.
    private func restore(_ checkpoint: Checkpoint, path: String) throws {
        let parameters = SafeTensors(entries: checkpoint.parameters.mapValues { .float32($0) })
        try network.loadParameters(from: parameters, path: path)
        if let stray = Set(checkpoint.parameters.keys).subtracting(network.namedParameters.map(\.name)).min() {
            throw CheckpointError(path: path, reason: "tensor \"\(stray)\" is no parameter of the network it continues")
        }
        try optimizer.load(state: checkpoint.optimizerState, parameters: network.namedParameters)
        try checkpoint.progress.check(epochs: configuration.epochs, path: path)
        progress = checkpoint.progress
    }

    /// The current state as a checkpoint.
    public func checkpoint() -> Checkpoint {
        Checkpoint(
            configuration: configuration, parameters: network.parameterTensors, optimizerState: optimizer.state,
            progress: progress)
    }

    /// Sets parameters from a weight file (e.g. written from PyTorch), keeping the optimizer fresh.
    public func initialize(from file: SafeTensors, path: String) throws {
        try network.loadParameters(from: file, path: path)
    }

    func forwardOptions(training: Bool) -> ForwardOptions {
        ForwardOptions(timeSteps: configuration.timeSteps, isTraining: training, encoding: configuration.encoding)
    }

    func check(_ batch: Batch) throws {
        guard batch.labels.allSatisfy({ $0 >= 0 && $0 < network.classes }) else {
            throw TrainingError.mismatch(
                "A batch has labels outside 0..<\(network.classes), the classes of \(network.spec?.text ?? "the network")."
            )
        }
    }

    /// One optimizer step on `batch` at the learning rate of the current progress.
    public func trainStep(_ batch: Batch, batchCount: Int) throws -> (loss: Float, correct: Int, rates: [String: Float])
    {
        try check(batch)
        let fraction = Double(progress.epoch) + Double(progress.batch) / Double(max(batchCount, 1))
        optimizer.learningRate =
            configuration.optimizer.learningRate * configuration.schedule.factor(epoch: fraction, step: progress.step)
        var generator = progress.generator
        if processGroup == nil && microBatches > 1 {
            let (lossValue, correct, rates) = try microBatchGradients(batch, generator: &generator)
            try applyStep(generator: generator)
            return (lossValue, correct, rates)
        }
        guard let group = processGroup else {
            let result = network.lossAndGradients(
                batch.inputs, labels: batch.labels, loss: loss, options: forwardOptions(training: true),
                generator: &generator)
            try checkFinite(loss: result.loss, gradients: result.gradients.map { ($0.key, $0.value) })
            let predictions = result.output.readout.value.argmaxRows()
            let correct = zip(predictions, batch.labels).filter { $0 == $1 }.count
            try applyStep(generator: generator)
            return (result.loss, correct, result.output.firingRates)
        }
        let (lossValue, correct, rates) = try dataParallelGradients(batch, group: group, generator: &generator)
        try applyStep(generator: generator)
        return (lossValue, correct, rates)
    }

    /// The step's gradients over `microBatches` slices of `batch` run one after another, each
    /// from the same generator state and scaled by its share, summed in slice order; the loss,
    /// correct count and firing rates combined as `dataParallelGradients` combines processes'.
    private func microBatchGradients(
        _ batch: Batch, generator: inout SeededGenerator
    ) throws -> (
        loss: Float, correct: Int, rates: [String: Float]
    ) {
        let count = batch.labels.count
        let batchAxis = batch.inputs.shape.count == network.inputShape.count + 1 ? 0 : 1
        var sums: [ObjectIdentifier: Tensor] = [:]
        var figures = [Double](repeating: 0, count: 2 + spikingPaths.count)
        var after = generator
        for index in 0..<microBatches {
            let slice = BatchSlice(rank: index, of: microBatches, globalCount: count)
            var sliceGenerator = generator
            defer { after = sliceGenerator }
            guard slice.count > 0 else {
                Self.skipForwardPass(&sliceGenerator)
                continue
            }
            var options = forwardOptions(training: true)
            options.batchSlice = slice
            let labels = Array(batch.labels[slice.range])
            let result = network.lossAndGradients(
                batch.inputs.slice(slice.range, alongAxis: batchAxis), labels: labels, loss: loss, options: options,
                generator: &sliceGenerator)
            let share = Double(slice.count) / Double(count)
            for (_, parameter) in network.namedParameters {
                let scaled = parameter.gradient! * Float(share)
                let key = ObjectIdentifier(parameter)
                sums[key] = sums[key].map { $0 + scaled } ?? scaled
            }
            let predictions = result.output.readout.value.argmaxRows()
            figures[0] += Double(result.loss) * share
            figures[1] += Double(zip(predictions, labels).filter { $0 == $1 }.count)
            for (index, path) in spikingPaths.enumerated() {
                figures[2 + index] += Double(result.output.firingRates[path] ?? 0) * share
            }
        }
        generator = after
        for (_, parameter) in network.namedParameters { parameter.gradient = sums[ObjectIdentifier(parameter)] }
        try checkFinite(
            loss: Float(figures[0]), gradients: network.namedParameters.map { ($0.name, $0.parameter.gradient!) })
        let rates = Dictionary(uniqueKeysWithValues: spikingPaths.enumerated().map { ($1, Float(figures[2 + $0])) })
        return (Float(figures[0]), Int(figures[1]), rates)
    }

    /// Throws when the loss or a gradient is not finite (before the update is applied).
    private func checkFinite(loss value: Float, gradients: [(String, Tensor)]) throws {
        guard value.isFinite else {
            throw TrainingError.nonFiniteLoss(
                epoch: progress.epoch, batch: progress.batch, step: progress.step + 1, loss: value)
        }
        if let name = gradients.sorted(by: { $0.0 < $1.0 }).first(where: { !$0.1.sum().isFinite })?.0 {
            throw TrainingError.nonFiniteGradient(
                epoch: progress.epoch, batch: progress.batch, step: progress.step + 1, parameter: name)
        }
    }

    /// This process's share of a data-parallel step: the gradients of its slice, scaled by
    /// n_rank / N and summed over the processes in buckets as the backward pass finishes them
    /// (every `Parameter.gradient` then holds the global batch's gradient), and the global
    /// batch's loss, correct count and firing rates (each a sum over processes of the slice's
    /// figure weighted by n_rank / N).
    private func dataParallelGradients(
        _ batch: Batch, group: any ProcessGroup, generator: inout SeededGenerator
    ) throws -> (loss: Float, correct: Int, rates: [String: Float]) {
        let buckets =
            self.buckets
            ?? GradientBuckets(
                parameters: network.namedParameters.map(\.parameter), group: group, capacity: gradientBucketBytes)
        self.buckets = buckets
        let slice = batch.slice
        let share = Double(slice.count) / Double(max(slice.globalCount, 1))
        buckets.begin(scale: Float(share))
        var figures = [Double](repeating: 0, count: 2 + spikingPaths.count)
        if slice.count > 0 {
            var options = forwardOptions(training: true)
            options.batchSlice = slice
            let result = network.lossAndGradients(
                batch.inputs, labels: batch.labels, loss: loss, options: options, generator: &generator,
                onParameterGradient: { buckets.add($0, $1) })
            let predictions = result.output.readout.value.argmaxRows()
            figures[0] = Double(result.loss) * share
            figures[1] = Double(zip(predictions, batch.labels).filter { $0 == $1 }.count)
            for (index, path) in spikingPaths.enumerated() {
                figures[2 + index] = Double(result.output.firingRates[path] ?? 0) * share
            }
        } else {
            Self.skipForwardPass(&generator)
        }
        buckets.addZerosForTheRest()
        buckets.finish()
        figures = group.sum(figures)
        try checkFinite(
            loss: Float(figures[0]), gradients: network.namedParameters.map { ($0.name, $0.parameter.gradient!) })
        let rates = Dictionary(
            uniqueKeysWithValues: spikingPaths.enumerated().map { ($1, Float(figures[2 + $0])) })
        return (Float(figures[0]), Int(figures[1]), rates)
    }

    /// Advances `generator` as a forward pass does (it splits one generator for the encoding and
    /// one for the layers): a process without samples in a batch keeps its stream in step with
    /// the others'.
    static func skipForwardPass(_ generator: inout SeededGenerator) {
        _ = generator.split()
        _ = generator.split()
    }

    /// Applies the optimizer step to the gradients in every `Parameter.gradient` and advances
    /// the progress; throws when a weight becomes non-finite.
    private func applyStep(generator: SeededGenerator) throws {
        optimizer.step(network.namedParameters)
        if let name = network.namedParameters.first(where: { !$0.parameter.value.sum().isFinite })?.name {
            throw TrainingError.nonFiniteWeights(
                epoch: progress.epoch, batch: progress.batch, step: progress.step + 1, parameter: name)
        }
        progress.generator = generator
        progress.step += 1
    }

    /// Trains the rest of the current epoch; stops early (returning false) when `shouldStop`
    /// says so between steps.
    public func trainEpoch(
        _ loader: BatchLoader, shouldStop: () -> Bool = { false }, onStep: (StepReport) -> Void = { _ in }
    ) throws -> Bool {
        let batches = loader.epoch(progress.epoch, startingAt: progress.batch)
        let group = processGroup
        var clock = MonotonicClock.now
        while let batch = try batches.next() {
            let (loss, correct, rates) = try trainStep(batch, batchCount: loader.batchCount)
            let samples = batch.slice.globalCount
            let now = MonotonicClock.now
            progress.epochSeconds += now - clock
            clock = now
            progress.epochLossSum += Double(loss) * Double(samples)
            progress.epochCorrect += correct
            progress.epochSeen += samples
            progress.batch += 1
            onStep(
                StepReport(
                    epoch: progress.epoch + 1, epochs: configuration.epochs, batch: progress.batch - 1,
                    batchCount: loader.batchCount,
                    step: progress.step,
                    loss: Double(loss), accuracy: Double(correct) / Double(samples),
                    epochLoss: progress.epochLossSum / Double(progress.epochSeen),
                    epochAccuracy: Double(progress.epochCorrect) / Double(progress.epochSeen),
                    learningRate: Double(optimizer.learningRate),
                    samplesPerSecond: Double(progress.epochSeen) / max(progress.epochSeconds, 1e-9),
                    elapsedSeconds: progress.epochSeconds,
                    firingRates: rates.mapValues(Double.init)))
            // Every process of a group asks, so that all stop after the same step.
            let stop = group.map { $0.any(shouldStop()) } ?? shouldStop()
            if stop && progress.batch < loader.batchCount { return false }
        }
        return true
    }

    /// Loss, accuracy, confusion and firing rates of the network on `loader`'s data (no tape, no dropout).
    ///
    /// With a `processGroup`, each process evaluates its slice of every batch (`loader` split by
    /// rank) and the counts and sums are added over the processes: every process returns the
    /// evaluation of the whole data set.
    public func evaluate(_ loader: BatchLoader) throws -> Evaluation {
        var accumulator = EvaluationAccumulator(classes: network.classes)
        let batches = loader.epoch(0)
        var generator = SeededGenerator(seed: configuration.seed &+ 0x6576_616C)
        while let batch = try batches.next() {
            try check(batch)
            guard !batch.labels.isEmpty else {
                accumulator.addBatchCount()
                Self.skipForwardPass(&generator)
                continue
            }
            var options = forwardOptions(training: false)
            if processGroup != nil { options.batchSlice = batch.slice }
            let output = network(batch.inputs, options: options, generator: &generator)
            let value = loss(output.readout, labels: batch.labels)
            accumulator.add(
                loss: value.value.scalar, readout: output.readout.value, labels: batch.labels,
                firingRates: output.firingRates,
                weight: Double(batch.slice.count) / Double(max(batch.slice.globalCount, 1)))
        }
        guard let group = processGroup else { return accumulator.result }
        return accumulator.summed(over: group, spikingLayers: spikingPaths)
    }

    /// Runs the remaining epochs: train, evaluate on `validation` and `test`, report, then call
    /// `afterEpoch` (where checkpoints are written). The best epoch is the one of the highest
    /// validation accuracy, or test accuracy without a validation set. When `shouldStop` turns
    /// true the epoch ends early, the `.interrupted` event is sent and the function returns false.
    @discardableResult
    public func fit(
        train: BatchLoader, validation: BatchLoader? = nil, test: BatchLoader?, shouldStop: () -> Bool = { false },
        afterEpoch: (EpochReport, Evaluation?) throws -> Void = { _, _ in }, events: (TrainingEvent) -> Void = { _ in }
    ) throws -> Bool {
        while progress.epoch < configuration.epochs {
            let finished = try trainEpoch(train, shouldStop: shouldStop) { events(.step($0)) }
            guard finished else {
                events(.interrupted(progress))
                return false
            }
            let held = try validation.map { try evaluate($0) }
            let evaluation = try test.map { try evaluate($0) }
            var isBest = false
            if let chosen = held ?? evaluation, chosen.loss.isFinite, chosen.accuracy > (progress.bestAccuracy ?? -1) {
                progress.bestAccuracy = chosen.accuracy
                progress.bestEpoch = progress.epoch
                isBest = true
            }
            let report = EpochReport(
                epoch: progress.epoch + 1, epochs: configuration.epochs, step: progress.step,
                trainLoss: progress.epochLossSum / Double(max(progress.epochSeen, 1)),
                trainAccuracy: Double(progress.epochCorrect) / Double(max(progress.epochSeen, 1)),
                testLoss: evaluation?.loss, testAccuracy: evaluation?.accuracy, validationLoss: held?.loss,
                validationAccuracy: held?.accuracy,
                samplesPerSecond: Double(progress.epochSeen) / max(progress.epochSeconds, 1e-9),
                seconds: progress.epochSeconds, learningRate: Double(optimizer.learningRate),
                firingRates: evaluation?.firingRates ?? [:], isBest: isBest)
            progress.epoch += 1
            progress.batch = 0
            progress.epochLossSum = 0
            progress.epochCorrect = 0
            progress.epochSeen = 0
            progress.epochSeconds = 0
            events(.epoch(report, evaluation))
            try afterEpoch(report, evaluation)
            let stop = processGroup.map { $0.any(shouldStop()) } ?? shouldStop()
            if stop && progress.epoch < configuration.epochs {
                events(.interrupted(progress))
                return false
            }
        }
        return true
    }
}
