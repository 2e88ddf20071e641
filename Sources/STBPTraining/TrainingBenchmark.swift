import Foundation
import STBPAutodiff
import STBPData
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
        /// Before timing, scale each spiking layer's synapses so that it fires at this rate
        /// (`FiringRateCalibration`); nil leaves the initial weights.
        package var firingRate: Double?
        /// Also time every step on the dense path of spike-fed convolutions, alternating with the
        /// chosen one in this process (`stbp bench --against-dense`).
        package var againstDense = false

        package init(
            name: String, spec: String, inputShape: [Int], timeSteps: Int, batchSize: Int, events: Bool,
            iterations: Int, warmup: Int = 1, evaluate: Bool = false, firingRate: Double? = nil
        ) {
            self.firingRate = firingRate
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
        /// The firing rate the spiking layers were calibrated to, if any.
        package var firingRateTarget: Double?
        /// The samples of the diagnostic forward pass that measured `layers`.
        package var densitySamples: Int
        /// Each spiking layer's input, firing and surrogate densities, in order.
        package var layers: [LayerDensity]
        /// The path of convolutions fed by spikes: "auto", "dense" or "event" (`stbp bench --spike-kernels`).
        package var spikeKernels = BenchSpikeKernels.name(of: EventConv2DCost.choice)
        /// With `--against-dense`: the median and shortest step on the dense path, timed in
        /// alternation with the steps above.
        package var denseMedianStepSeconds: Double?
        package var denseMinStepSeconds: Double?

        enum CodingKeys: String, CodingKey {
            case framework, config, order, mode, threads, iterations, gflops
            case batchSize = "batch_size", timeSteps = "time_steps", medianStepSeconds = "median_step_seconds"
            case minStepSeconds = "min_step_seconds", samplesPerSecond = "samples_per_second"
            case medianStepCpuSeconds = "median_step_cpu_seconds"
            case macsPerSampleStep = "macs_per_sample_step", sgemmGflops = "sgemm_gflops"
            case sgemmFraction = "sgemm_fraction", sgemmShape = "sgemm_shape", blasCore = "blas_core"
            case peakRssMb = "peak_rss_mb", firingRateTarget = "firing_rate_target"
            case densitySamples = "density_samples", layers, spikeKernels = "spike_kernels"
            case denseMedianStepSeconds = "dense_median_step_seconds", denseMinStepSeconds = "dense_min_step_seconds"
        }

        /// The dense path's steps next to these, when they were timed.
        var againstDense: String {
            guard let dense = denseMedianStepSeconds, let denseMin = denseMinStepSeconds else { return "" }
            return String(
                format: "; dense path alternating: median %.4f s, min %.4f s (%.2fx, min %.2fx)", dense, denseMin,
                dense / medianStepSeconds, denseMin / minStepSeconds)
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
                  spike kernels    \(spikeKernels)\(againstDense)
                \(densityTable)
                """
        }

        /// Each spiking layer's densities as a table, from a forward pass of its own.
        var densityTable: String {
            let target = firingRateTarget.map { String(format: ", calibrated to fire at %.3f", $0) } ?? ""
            var lines = [
                "  densities per spiking layer (\(densitySamples) sample\(densitySamples == 1 ? "" : "s"), "
                    + "one forward pass without tape\(target)):",
                "    layer             input          input density  firing rate  h(u) nonzero  calibration",
            ]
            let f = { (value: Double?) in value.map { String(format: "%.4f", $0) } ?? "-" }
            for layer in layers {
                let calibration =
                    layer.calibrationScale.map {
                        String(format: "scale %.4g", $0) + (layer.calibrationReached == false ? " (not reached)" : "")
                    } ?? "-"
                lines.append(
                    "    " + pad("\(layer.path): \(layer.label)", 18) + pad(layer.input, 15)
                        + pad(f(layer.inputDensity), 15)
                        + pad(f(layer.firingRate), 13) + pad(f(layer.surrogateDensity), 14) + calibration)
            }
            return lines.joined(separator: "\n")
        }

        /// `text` padded with spaces to `width` characters.
        func pad(_ text: String, _ width: Int) -> String {
            text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0)
        }
    }

    /// Builds the network and data, calibrates the firing rate when asked, warms up, times
    /// `iterations` steps, measures sgemm and then the layers' densities.
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
        let options = ForwardOptions(timeSteps: c.timeSteps, isTraining: !c.evaluate)
        let calibration = c.firingRate.map { target in
            FiringRateCalibration.calibrate(
                network, input: leading(calibrationSamples, of: input, network: network), timeSteps: c.timeSteps,
                target: Float(target))
        }
        let optimizer = SGD(learningRate: 0.01, momentum: 0.9)
        let step = {
            if c.evaluate {
                _ = network(input, options: options, generator: &generator)
            } else {
                _ = network.lossAndGradients(input, labels: labels, options: options, generator: &generator)
                optimizer.step(network.namedParameters)
            }
        }
        var dense: [Double] = []
        let times: [Double], processorTimes: [Double]
        if c.againstDense {
            (times, processorTimes, dense) = timeAgainstDense(warmup: c.warmup, iterations: c.iterations, step)
        } else {
            (times, processorTimes) = time(warmup: c.warmup, iterations: c.iterations, step)
        }
        var report = self.report(
            network: network, config: c.name, evaluate: c.evaluate, batchSize: c.batchSize, timeSteps: c.timeSteps,
            times: times, processorTimes: processorTimes, layers: [],
            densitySamples: min(densitySamples, c.batchSize))
        report.firingRateTarget = c.firingRate
        if c.againstDense {
            report.denseMedianStepSeconds = median(dense)
            report.denseMinStepSeconds = dense.first
        }
        // After the timed steps, whose peak memory is read first: the pass records membranes.
        report.layers = try LayerDensity.measure(
            network, input: leading(densitySamples, of: input, network: network), options: options)
        for index in report.layers.indices {
            guard let result = calibration?[report.layers[index].path] else { continue }
            report.layers[index].calibrationScale = Double(result.scale)
            report.layers[index].calibrationReached = result.reached
        }
        return report
    }

    /// Times the training steps (or inference) of a trained network on real batches: `trainer`'s
    /// own step, on `batches` in turn (loaded before timing), then measures the layers' densities
    /// on the first batch.
    package static func run(
        trainer: Trainer, batches: [Batch], iterations: Int, warmup: Int = 1, evaluate: Bool = false
    ) throws -> Report {
        precondition(!batches.isEmpty, "A benchmark on real data needs at least one batch.")
        let network = trainer.network
        let first = batches[0].inputs
        let timeSteps =
            first.shape.count == network.inputShape.count + 2 ? first.shape[0] : trainer.configuration.timeSteps
        let batchSize = batches[0].labels.count
        try MemoryEstimate(network, timeSteps: timeSteps, batchSize: batchSize, training: !evaluate).check(
            limit: MemorySize.physical, what: "The benchmark's batch of \(batchSize) over \(timeSteps) steps")
        var next = 0
        var generator = SeededGenerator(seed: trainer.configuration.seed)
        var failure: Error?
        let (times, processorTimes) = time(warmup: warmup, iterations: iterations) {
            let batch = batches[next % batches.count]
            next += 1
            if evaluate {
                _ = network(batch.inputs, options: trainer.forwardOptions(training: false), generator: &generator)
            } else {
                do { _ = try trainer.trainStep(batch, batchCount: batches.count) } catch { failure = failure ?? error }
            }
        }
        if let failure { throw failure }
        var report = self.report(
            network: network, config: "checkpoint", evaluate: evaluate, batchSize: batchSize, timeSteps: timeSteps,
            times: times, processorTimes: processorTimes, layers: [], densitySamples: min(densitySamples, batchSize))
        // After the timed steps, whose peak memory is read first: the pass records membranes.
        report.layers = try LayerDensity.measure(
            network, input: leading(densitySamples, of: first, network: network),
            options: trainer.forwardOptions(training: false))
        return report
    }

    /// The samples the calibration runs on.
    static let calibrationSamples = 4
    /// The samples the diagnostic pass that measures densities runs on.
    static let densitySamples = 16

    /// The first `count` samples of a batch [N, ...] or of frames [T, N, ...].
    static func leading(_ count: Int, of input: Tensor, network: Network) -> Tensor {
        let axis = input.shape.count == network.inputShape.count + 1 ? 0 : 1
        return input.shape[axis] <= count ? input : input.slice(0..<count, alongAxis: axis)
    }

    /// `time` of the path `EventConv2DCost.choice` names and of the dense path, each step of one
    /// timed right before or after one of the other in turn: the chosen path's wall and
    /// processor times and the dense path's wall times, each sorted.
    static func timeAgainstDense(
        warmup: Int, iterations: Int, _ step: () -> Void
    ) -> (wall: [Double], processor: [Double], dense: [Double]) {
        let chosen = EventConv2DCost.choice
        defer { EventConv2DCost.choice = chosen }
        var dense: [Double] = []
        var chosenTimes: (wall: [Double], processor: [Double]) = ([], [])
        for index in 0..<(warmup + max(1, iterations)) {
            let timed = index >= warmup
            // The dense step goes first on even steps.
            for path in index % 2 == 0 ? [EventConv2DCost.Choice.dense, chosen] : [chosen, .dense] {
                EventConv2DCost.choice = path
                let one = time(warmup: 0, iterations: 1, step)
                guard timed else { continue }
                if path == .dense {
                    dense.append(one.wall[0])
                } else {
                    chosenTimes.wall.append(one.wall[0])
                    chosenTimes.processor.append(one.processor[0])
                }
            }
        }
        return (chosenTimes.wall.sorted(), chosenTimes.processor.sorted(), dense.sorted())
    }

    /// Runs `step` `warmup` times, then times it `iterations` times (at least once): the wall and
    /// processor times of each timed step, sorted.
    static func time(warmup: Int, iterations: Int, _ step: () -> Void) -> (wall: [Double], processor: [Double]) {
        for _ in 0..<warmup { step() }
        var times: [Double] = []
        var processorTimes: [Double] = []
        for _ in 0..<max(1, iterations) {
            let (start, startProcessor) = (MonotonicClock.now, processorSeconds())
            step()
            times.append(MonotonicClock.now - start)
            processorTimes.append(processorSeconds() - startProcessor)
        }
        return (times.sorted(), processorTimes.sorted())
    }

    /// The report of timed steps of `network`: rates from the sorted times, and sgemm measured now.
    static func report(
        network: Network, config: String, evaluate: Bool, batchSize: Int, timeSteps: Int, times: [Double],
        processorTimes: [Double], layers: [LayerDensity], densitySamples: Int
    ) -> Report {
        let median = self.median(times)
        let macs = network.summary.totalMultiplyAccumulates
        let passes = evaluate ? 1.0 : 3.0
        let gflops = 2 * Double(macs) * Double(timeSteps * batchSize) * passes / median / 1e9
        let shape = largestGEMM(network, timeSteps: timeSteps, batchSize: batchSize)
        // The peak of the training steps, before the sgemm measurement allocates its matrices.
        let peakMegabytes = ProcessMemory.peakResidentMegabytes
        let sgemm = SgemmRate.measure(m: shape[0], n: shape[1], k: shape[2])
        return Report(
            config: config, mode: evaluate ? "evaluate" : "train", threads: ComputeThreads.count,
            batchSize: batchSize, timeSteps: timeSteps, iterations: times.count, medianStepSeconds: median,
            minStepSeconds: times[0], medianStepCpuSeconds: self.median(processorTimes),
            samplesPerSecond: Double(batchSize) / median, macsPerSampleStep: macs,
            gflops: gflops, sgemmGflops: sgemm, sgemmFraction: gflops / sgemm, sgemmShape: shape,
            blasCore: ComputeThreads.blasCoreName, peakRssMb: peakMegabytes, densitySamples: densitySamples,
            layers: layers)
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

/// The names of the paths of spike-fed convolutions (`EventConv2DCost.Choice`) on the command line
/// and in reports.
package enum BenchSpikeKernels {
    /// auto, dense and event.
    package static let choices: [String: EventConv2DCost.Choice] = [
        "auto": .automatic, "dense": .dense, "event": .event,
    ]

    /// The name of `choice`.
    package static func name(of choice: EventConv2DCost.Choice) -> String {
        choices.first { $0.value == choice }!.key
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
