import Foundation
import STBPData
import STBPNetwork
import STBPTensor

/// Times data-parallel training steps of a `TrainingBenchmark` configuration on the processes of
/// a `ProcessGroup`: each process trains on its slice of one fixed synthetic global batch, its
/// gradients summed in buckets during the backward pass (`Trainer.processGroup`). Reports the
/// step time, the gradient bytes summed per step, the time a blocking sum of those bytes takes
/// alone, and the part of it the backward pass did not hide.
package enum DataParallelBenchmark {
    /// The figures of one run (rank 0's times, each step begun together on every rank).
    package struct Report: Codable, Sendable, CustomStringConvertible {
        package var config: String
        package var processes: Int
        package var threads: Int
        package var batchSize: Int
        package var timeSteps: Int
        package var iterations: Int
        package var medianStepSeconds: Double
        package var samplesPerSecond: Double
        /// Gradient bytes each process sends into the sums per step (every parameter, Float32).
        package var bytesPerStep: Int
        package var buckets: Int
        /// The median time of one blocking sum of `bytesPerStep` over the processes, alone.
        package var allreduceSeconds: Double
        /// The mean time per step spent waiting for the sums after the backward pass.
        package var exposedWaitSeconds: Double

        enum CodingKeys: String, CodingKey {
            case config, processes, threads, iterations, buckets
            case batchSize = "batch_size", timeSteps = "time_steps", medianStepSeconds = "median_step_seconds"
            case samplesPerSecond = "samples_per_second", bytesPerStep = "bytes_per_step"
            case allreduceSeconds = "allreduce_seconds", exposedWaitSeconds = "exposed_wait_seconds"
        }

        package var description: String {
            let f = { (value: Double, digits: Int) in String(format: "%.\(digits)f", value) }
            return """
                \(config) (train, \(processes) processes x \(threads) thread\(threads == 1 ? "" : "s"), global batch \
                \(batchSize), T \(timeSteps), \(iterations) timed steps)
                  step time        median \(f(medianStepSeconds, 4)) s (\(f(samplesPerSecond, 2)) samples/s)
                  gradient sums    \(bytesPerStep) bytes per step in \(buckets) buckets; alone \
                \(f(allreduceSeconds, 4)) s, not hidden by the backward pass \(f(exposedWaitSeconds, 4)) s per step
                """
        }
    }

    /// Builds the network (rank 0's weights on every process) and the global batch, warms up,
    /// and times `iterations` steps and `iterations` blocking sums of the gradient bytes.
    package static func run(_ c: TrainingBenchmark.Configuration, group: any ProcessGroup) throws -> Report {
        let trainer = try Trainer(
            TrainingConfiguration(
                spec: c.spec, inputShape: c.inputShape, timeSteps: c.timeSteps, batchSize: c.batchSize,
                optimizer: OptimizerConfiguration(kind: .sgd, learningRate: 0.01, momentum: 0.9)))
        try MemoryEstimate(trainer.network, timeSteps: c.timeSteps, batchSize: c.batchSize, training: true).check(
            limit: MemorySize.physical, what: "The benchmark's batch of \(c.batchSize) over \(c.timeSteps) steps")
        trainer.processGroup = group
        var generator = SeededGenerator(seed: 1)
        let input =
            c.events
            ? Tensor.bernoulli([c.timeSteps, c.batchSize] + c.inputShape, probability: 0.1, using: &generator)
            : Tensor.uniform([c.batchSize] + c.inputShape, using: &generator)
        let labels = (0..<c.batchSize).map { $0 % trainer.network.classes }
        let slice = BatchSlice(rank: group.rank, of: group.size, globalCount: c.batchSize)
        let batch = Batch(
            inputs: input.slice(slice.range, alongAxis: c.events ? 1 : 0), labels: Array(labels[slice.range]),
            indices: Array(slice.range), slice: slice)
        for _ in 0..<c.warmup { _ = try trainer.trainStep(batch, batchCount: 1) }
        let waitBefore = trainer.communication.waitSeconds
        var times: [Double] = []
        for _ in 0..<max(1, c.iterations) {
            _ = group.any(false)  // every step begins together
            let start = MonotonicClock.now
            _ = try trainer.trainStep(batch, batchCount: 1)
            times.append(MonotonicClock.now - start)
        }
        let exposed = (trainer.communication.waitSeconds - waitBefore) / Double(times.count)
        let bytes = trainer.communication.bytesPerStep
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: bytes / MemoryLayout<Float>.stride)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 1)
        var sums: [Double] = []
        for _ in 0..<max(1, c.iterations) {
            _ = group.any(false)
            let start = MonotonicClock.now
            group.startSum(buffer).wait()
            sums.append(MonotonicClock.now - start)
        }
        let median = TrainingBenchmark.median(times.sorted())
        return Report(
            config: c.name, processes: group.size, threads: ComputeThreads.count, batchSize: c.batchSize,
            timeSteps: c.timeSteps, iterations: times.count, medianStepSeconds: median,
            samplesPerSecond: Double(c.batchSize) / median, bytesPerStep: bytes,
            buckets: trainer.buckets?.buffers.count ?? 0, allreduceSeconds: TrainingBenchmark.median(sums.sorted()),
            exposedWaitSeconds: exposed)
    }
}
