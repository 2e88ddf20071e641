import Foundation
import STBPAutodiff
import STBPNetwork
import STBPTensor

/// Times full training steps (forward, backward, optimizer update) or inference alone on
/// synthetic data, next to this machine's sgemm rate measured in the same run.
package enum TrainingBenchmark {
    /// What to time.
    package struct Configuration: Sendable, Hashable {
        package var name: String
        package var spec: String
        /// One sample's shape per step, [C, H, W].
        package var inputShape: [Int]
        package var timeSteps: Int
        package var batchSize: Int
        /// Binary event frames [T, N, C, H, W] with about 10% ones; otherwise a static image.
        package var events: Bool
        package var iterations: Int
        package var warmup: Int = 1
        /// Time inference alone, without a tape.
        package var evaluate: Bool = false

        package init(
            name: String, spec: String, inputShape: [Int], timeSteps: Int, batchSize: Int, events: Bool,
            iterations: Int, warmup: Int = 1, evaluate: Bool = false
        ) {
            self.name = name
            self.spec = spec
            self.inputShape = inputShape
            self.timeSteps = timeSteps
            self.batchSize = batchSize
            self.events = events
            self.iterations = iterations
            self.warmup = warmup
            self.evaluate = evaluate
        }
    }

    /// The named configurations that the PyTorch script (Benchmarks/pytorch_bench.py) also runs.
    package static let named: [String: Configuration] = [
        "mnist": Configuration(
            name: "mnist", spec: "32C3-AP2-32C3-AP2-128FC-10", inputShape: [1, 28, 28], timeSteps: 8,
            batchSize: 100, events: false, iterations: 10),
        "nmnist": Configuration(
            name: "nmnist", spec: "128C3-128C3-AP2-384C3-384C3-AP2-1024FC-512FC-Voting", inputShape: [2, 34, 34],
            timeSteps: 10, batchSize: 16, events: true, iterations: 3),
        "cifar10": Configuration(
            name: "cifar10", spec: "128C3-256C3-AP2-512C3-AP2-1024C3-512C3-1024FC-512FC-Voting",
            inputShape: [3, 32, 32], timeSteps: 8, batchSize: 16, events: false, iterations: 3),
    ]

    /// The figures of one run; the keys match the PyTorch script's JSON.
    package struct Report: Codable, Sendable, CustomStringConvertible {
        package var framework = "swift-stbp"
        package var config: String
        package var order = "layer"
        package var mode: String
        package var threads: Int
        package var batchSize: Int
        package var timeSteps: Int
        package var iterations: Int
        package var medianStepSeconds: Double
        package var minStepSeconds: Double
        /// The median processor time of a step, summed over threads (steadier than the step time
        /// on a busy machine; includes the time OpenBLAS's idle threads spend spinning).
        package var medianStepCpuSeconds: Double
        package var samplesPerSecond: Double
        package var macsPerSampleStep: Int
        package var gflops: Double
        package var sgemmGflops: Double
        package var sgemmFraction: Double
        package var sgemmShape: [Int]
        package var blasCore: String
        package var peakRssMb: Double

        enum CodingKeys: String, CodingKey {
            case framework, config, order, mode, threads, iterations, gflops
            case batchSize = "batch_size", timeSteps = "time_steps", medianStepSeconds = "median_step_seconds"
            case minStepSeconds = "min_step_seconds", samplesPerSecond = "samples_per_second"
            case medianStepCpuSeconds = "median_step_cpu_seconds"
            case macsPerSampleStep = "macs_per_sample_step", sgemmGflops = "sgemm_gflops"
            case sgemmFraction = "sgemm_fraction", sgemmShape = "sgemm_shape", blasCore = "blas_core"
            case peakRssMb = "peak_rss_mb"
        }

        package var description: String {
            let f = { (value: Double, digits: Int) in String(format: "%.\(digits)f", value) }
            return """
                \(config) (\(mode), \(threads) thread\(threads == 1 ? "" : "s"), batch \(batchSize), T \(timeSteps), \
                \(iterations) timed steps)
                  step time        median \(f(medianStepSeconds, 4)) s, min \(f(minStepSeconds, 4)) s \
                (processor time \(f(medianStepCpuSeconds, 4)) s)
                  throughput       \(f(samplesPerSecond, 2)) samples/s
                  work             \(macsPerSampleStep) MACs per sample and step
                  dense-equivalent \(f(gflops, 1)) GFLOP/s
                  sgemm            \(f(sgemmGflops, 1)) GFLOP/s on m×n×k = \(sgemmShape.map(String.init).joined(separator: "×")) \
                (\(f(100 * sgemmFraction, 1))% reached)
                  OpenBLAS core    \(blasCore)
                  peak memory      \(f(peakRssMb, 0)) MB resident
                """
        }
    }

    /// Builds the network and data, warms up, times `iterations` steps and measures sgemm.
    package static func run(_ configuration: Configuration) throws -> Report {
        let c = configuration
        let network = try Network(c.spec, inputShape: c.inputShape, seed: 0)
        try MemoryEstimate(network, timeSteps: c.timeSteps, batchSize: c.batchSize, training: !c.evaluate).check(
            limit: MemorySize.physical, what: "The benchmark's batch of \(c.batchSize) over \(c.timeSteps) steps")
        var generator = SeededGenerator(seed: 1)
        let input =
            c.events
            ? Tensor.bernoulli([c.timeSteps, c.batchSize] + c.inputShape, probability: 0.1, using: &generator)
            : Tensor.uniform([c.batchSize] + c.inputShape, using: &generator)
        let labels = (0..<c.batchSize).map { $0 % network.classes }
        let optimizer = SGD(learningRate: 0.01, momentum: 0.9)
        let options = ForwardOptions(timeSteps: c.timeSteps, isTraining: !c.evaluate)

        func step() {
            if c.evaluate {
                _ = network(input, options: options, generator: &generator)
            } else {
                _ = network.lossAndGradients(input, labels: labels, options: options, generator: &generator)
                optimizer.step(network.namedParameters)
            }
        }
        for _ in 0..<c.warmup { step() }
        var times: [Double] = []
        var processorTimes: [Double] = []
        for _ in 0..<max(1, c.iterations) {
            let (start, startProcessor) = (MonotonicClock.now, processorSeconds())
            step()
            times.append(MonotonicClock.now - start)
            processorTimes.append(processorSeconds() - startProcessor)
        }
        times.sort()
        let median = self.median(times)
        let macs = network.summary.totalMultiplyAccumulates
        let passes = c.evaluate ? 1.0 : 3.0
        let gflops = 2 * Double(macs) * Double(c.timeSteps * c.batchSize) * passes / median / 1e9
        let shape = largestGEMM(network, timeSteps: c.timeSteps, batchSize: c.batchSize)
        // The peak of the training steps, before the sgemm measurement allocates its matrices.
        let peakMegabytes = ProcessMemory.peakResidentMegabytes
        let sgemm = SgemmRate.measure(m: shape[0], n: shape[1], k: shape[2])
        return Report(
            config: c.name, mode: c.evaluate ? "evaluate" : "train", threads: ComputeThreads.count,
            batchSize: c.batchSize, timeSteps: c.timeSteps, iterations: times.count, medianStepSeconds: median,
            minStepSeconds: times[0], medianStepCpuSeconds: self.median(processorTimes.sorted()),
            samplesPerSecond: Double(c.batchSize) / median, macsPerSampleStep: macs,
            gflops: gflops, sgemmGflops: sgemm, sgemmFraction: gflops / sgemm, sgemmShape: shape,
            blasCore: ComputeThreads.blasCoreName, peakRssMb: peakMegabytes)
    }

    /// The median of sorted values.
    static func median(_ sorted: [Double]) -> Double {
        sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The processor time this process has used, all threads, in seconds.
    static func processorSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// The forward GEMM [m, n, k] with the most work in one training step of `network`.
    static func largestGEMM(_ network: Network, timeSteps: Int, batchSize: Int) -> [Int] {
        var best = [1, 1, 1]
        var shape = network.inputShape
        let samples = timeSteps * batchSize
        for (index, (_, layer)) in network.layers.sublayers.enumerated() {
            var candidate: [Int]?
            if let conv = layer as? Conv2D {
                let g = Conv2DGeometry(
                    inputShape: [samples] + shape, weightShape: conv.weight.value.shape, stride: conv.stride,
                    padding: conv.padding)
                candidate = Conv2DKernel.forwardGEMMShape(g)
            } else if let dense = layer as? Dense {
                candidate = [samples, dense.outputSize, dense.inputSize]
            }
            if let candidate, candidate.reduce(1, *) > best.reduce(1, *) { best = candidate }
            shape = network.outputShapes[index]
        }
        return best
    }
}

/// This machine's single-precision GEMM rate.
package enum SgemmRate {
    /// GFLOP/s of `cblas_sgemm` on C[m, n] = A[m, k] · B[k, n], the best of repeated runs
    /// lasting at least `seconds` in all.
    package static func measure(m: Int, n: Int, k: Int, seconds: Double = 1) -> Double {
        var generator = SeededGenerator(seed: 9)
        let a = Tensor.uniform([m, k], using: &generator), b = Tensor.uniform([k, n], using: &generator)
        var c = Tensor(zeros: [m, n])
        var best = Double.infinity
        let start = MonotonicClock.now
        var runs = 0
        while runs < 3 || MonotonicClock.now - start < seconds {
            let begin = MonotonicClock.now
            c.withUnsafeMutableBufferPointer { pc in
                a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        BLAS.sgemm(
                            m: m, n: n, k: k, a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: n,
                            c: pc.baseAddress!,
                            ldc: n)
                    }
                }
            }
            best = min(best, MonotonicClock.now - begin)
            runs += 1
        }
        return 2 * Double(m) * Double(n) * Double(k) / best / 1e9
    }
}
