import Foundation
import STBPData
import STBPNetwork
import STBPTensor
import STBPTraining
import Testing

/// A small learnable image set in memory: class c has a bright c-th row band.
func bandImages(count: Int, seed: UInt64) -> ImageDataset {
    var generator = SeededGenerator(seed: seed)
    var pixels: [UInt8] = []
    var labels: [Int] = []
    for i in 0..<count {
        let label = i % 4
        for row in 0..<8 {
            for _ in 0..<8 {
                let base: Float = row / 2 == label ? 200 : 30
                pixels.append(UInt8(min(255, max(0, base + 40 * generator.nextNormal()))))
            }
        }
        labels.append(label)
    }
    return ImageDataset(
        channels: 1, height: 8, width: 8, pixels: pixels, labels: labels, classNames: ["a", "b", "c", "d"],
        preprocessing: .unitRange)
}

func smallConfiguration(epochs: Int = 2) -> TrainingConfiguration {
    TrainingConfiguration(
        spec: "8C3-AP2-D0.2-24FC-4", inputShape: [1, 8, 8],
        network: NetworkOptions(neuron: LIF(decay: 0.3, threshold: 0.3)), timeSteps: 4, epochs: epochs,
        batchSize: 8, optimizer: OptimizerConfiguration(kind: .adam, learningRate: 5e-3),
        schedule: LearningRateSchedule(decay: .step(milestones: [1], factor: 0.5), warmupSteps: 3), seed: 11)
}

@Suite(.serialized) struct TrainerTests {
    let train = BatchLoader(dataset: bandImages(count: 64, seed: 1), batchSize: 8, seed: 5)
    let test = BatchLoader(dataset: bandImages(count: 32, seed: 2), batchSize: 8, shuffle: false)

    @Test func trainingLearnsTheBands() throws {
        let trainer = try Trainer(smallConfiguration(epochs: 3))
        let before = try trainer.evaluate(test).accuracy
        try trainer.fit(train: train, test: test)
        let after = try trainer.evaluate(test)
        #expect(after.accuracy > max(0.6, before + 0.2), "accuracy \(before) -> \(after.accuracy)")
        #expect(after.count == 32 && after.perClassAccuracy.count == 4)
    }

    @Test func aResumedRunEndsWhereAnUninterruptedOneDoes() throws {
        let previousThreads = ComputeThreads.count
        ComputeThreads.set(1)
        defer { ComputeThreads.set(previousThreads) }

        let whole = try Trainer(smallConfiguration())
        try whole.fit(train: train, test: test)

        // Stop after 3 steps of the first epoch and after the first epoch, through a file each time.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stbp-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("checkpoint.safetensors")
        var trainer = try Trainer(smallConfiguration())
        for stopAt in [3, 8] {
            var steps = 0
            let finished = try trainer.fit(
                train: train, test: test, shouldStop: { steps >= stopAt },
                events: { if case .step = $0 { steps += 1 } })
            #expect(!finished)
            try trainer.checkpoint().write(to: file)
            trainer = try Trainer(resuming: Checkpoint(contentsOf: file))
        }
        try trainer.fit(train: train, test: test)
        #expect(trainer.progress == whole.progress)
        for (name, value) in whole.network.parameterTensors {
            #expect(trainer.network.parameterTensors[name] == value, "\(name)")
        }
    }

    @Test func aNonFiniteGradientStopsWithTheStepAndAppliesNothing() throws {
        let trainer = try Trainer(smallConfiguration())
        let good = try train.batch(0, epoch: 0)
        _ = try trainer.trainStep(good, batchCount: 8)
        let before = trainer.network.parameterTensors
        var bad = try train.batch(1, epoch: 0)
        bad.inputs[flat: 3] = .nan
        #expect {
            try trainer.trainStep(bad, batchCount: 8)
        } throws: { error in
            guard case .nonFiniteGradient(_, _, let step, let parameter)? = error as? TrainingError else {
                return false
            }
            return step == 2 && parameter.hasPrefix("layers.0.") && "\(error)".contains("step 2")
        }
        #expect(trainer.network.parameterTensors == before)
        #expect(trainer.progress.step == 1)
    }

    @Test func labelsOutsideTheClassesAreRejected() throws {
        let trainer = try Trainer(smallConfiguration())
        var batch = try train.batch(0, epoch: 0)
        batch.labels[0] = 9
        #expect(throws: TrainingError.self) { try trainer.trainStep(batch, batchCount: 8) }
    }

    @Test func theScheduleWarmsUpAndDecaysAtMilestones() {
        let schedule = LearningRateSchedule(decay: .step(milestones: [2, 4], factor: 0.1), warmupSteps: 4)
        #expect(schedule.factor(epoch: 0, step: 0) == 0.25)
        #expect(schedule.factor(epoch: 1.5, step: 10) == 1)
        #expect(abs(schedule.factor(epoch: 2, step: 20) - 0.1) < 1e-7)
        #expect(abs(schedule.factor(epoch: 4.5, step: 40) - 0.01) < 1e-8)
        let cosine = LearningRateSchedule(decay: .cosine(epochs: 10, minimumFactor: 0.1))
        #expect(cosine.factor(epoch: 0, step: 0) == 1)
        #expect(abs(cosine.factor(epoch: 5, step: 0) - 0.55) < 1e-6)
        #expect(abs(cosine.factor(epoch: 10, step: 0) - 0.1) < 1e-6)
    }

    @Test func denseLayersTrainAtTheirScaledRate() throws {
        var configuration = smallConfiguration()
        configuration.optimizer.denseLearningRateScale = 0.1
        let trainer = try Trainer(configuration)
        #expect(
            trainer.optimizer.learningRateMultipliers == [
                "layers.3.weight": 0.1, "layers.3.bias": 0.1, "layers.4.weight": 0.1, "layers.4.bias": 0.1,
            ])
    }
}

@Suite struct CheckpointTests {
    @Test func aCheckpointRoundTripsAndLoadsByName() throws {
        let trainer = try Trainer(smallConfiguration())
        _ = try trainer.trainStep(
            try BatchLoader(dataset: bandImages(count: 8, seed: 3), batchSize: 8).batch(0, epoch: 0), batchCount: 1)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "stbp-checkpoint-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try trainer.checkpoint().write(to: url)
        let restored = try Checkpoint(contentsOf: url)
        #expect(restored.configuration == trainer.configuration)
        #expect(restored.progress == trainer.progress)
        #expect(restored.parameters == trainer.network.parameterTensors)
        #expect(restored.optimizerState.keys.sorted() == trainer.optimizer.state.keys.sorted())
        // The raw file holds the parameters under their own names, as PyTorch will look them up.
        let raw = try SafeTensors(contentsOf: url)
        #expect(raw.float32("layers.0.weight")?.shape == [8, 1, 3, 3])
        #expect(raw.entries.keys.contains { $0.hasPrefix("optimizer.exp_avg.layers.0.weight") })
    }

    @Test func aPlainWeightFileIsNotACheckpoint() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "stbp-weights-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors(entries: ["layers.0.weight": .float32(Tensor(zeros: [2]))]).write(to: url)
        #expect(throws: CheckpointError.self) { try Checkpoint(contentsOf: url) }
    }
}
