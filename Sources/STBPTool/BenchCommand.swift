import ArgumentParser
import Foundation
import STBP

#if MPI
    import STBPDistributed
#endif

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time training steps (or inference) on synthetic data next to this machine's sgemm rate.",
        discussion: """
            Named configurations (--config): \
            mnist (32C3-AP2-32C3-AP2-128FC-10, 1x28x28 static, T 8, batch 100), \
            nmnist (128C3-128C3-AP2-384C3-384C3-AP2-1024FC-512FC-Voting, 2x34x34 events, T 10, batch 16), \
            cifar10 (128C3-256C3-AP2-512C3-AP2-1024C3-512C3-1024FC-512FC-Voting, 3x32x32 static, T 8, batch 16). \
            Options given beside --config override it. Under mpirun (a build with the MPI trait) it times \
            data-parallel steps: each rank trains on its slice of the global batch, and it also reports the \
            gradient bytes summed per step and the time of that sum (Benchmarks/distributed.sh). \
            Every run also prints, per spiking layer, the density of its synapse's input, its firing rate and \
            the fraction of nonzero surrogate derivatives, from a forward pass that is not timed. \
            --firing-rate R first scales each spiking layer's synapses so that it fires at about R; \
            --checkpoint FILE --data DIR times the trained network on real training batches instead.
            """)

    @Option(help: "A checkpoint to time on real batches of --data (instead of --config or --model).")
    var checkpoint: String?

    @Option(help: "With --checkpoint: the folder holding the data set's files.")
    var data: String?

    @OptionGroup var reading: DataReadingOptions

    @Option(help: "Scale each spiking layer's synapses so that it fires at this rate, 0 < R < 1, before timing.")
    var firingRate: Double?

    @Option(name: .long, help: "A named configuration: mnist, nmnist or cifar10.")
    var config: String?

    @Option(name: .long, help: "The network spec (needed without --config).")
    var model: String?

    @Option(name: .long, help: "One input sample per step as CxHxW.")
    var inputShape: String?

    @Option(name: .long, help: "Time steps T.")
    var timeSteps: Int?

    @Option(name: .long, help: "Batch size N.")
    var batchSize: Int?

    @Flag(name: .long, help: "Binary event frames with about 10% ones instead of a static image.")
    var events = false

    @Option(name: .long, help: "Threads for OpenBLAS and the package's loops (default: all cores).")
    var threads: Int?

    @Option(name: .long, help: "Timed steps after one warm-up step.")
    var iterations: Int?

    @Flag(name: .long, help: "Time inference alone, without a tape.")
    var evaluate = false

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    @Option(
        name: .long,
        help:
            "Path of convolutions fed by spikes: auto (the cost model's choice per batch), dense (as before: Float32 input, dense passes) or event."
    )
    var spikeKernels: String = "auto"

    @Flag(
        name: .long,
        help: "Also time every step with --spike-kernels dense, alternating with the path chosen, in this process.")
    var againstDense = false

    @Flag(
        name: .long,
        help:
            "Time the event-driven and dense passes of the spike-fed convolutions of --config nmnist (default) or cifar10 at densities 0-50%."
    )
    var densitySweep = false

    func validate() throws {
        try ArgumentCheck.count("--time-steps", timeSteps)
        try ArgumentCheck.count("--batch-size", batchSize)
        try ArgumentCheck.count("--iterations", iterations)
        try ArgumentCheck.count("--threads", threads)
        if let inputShape { _ = try parseShape(inputShape, option: "--input-shape") }
        guard BenchSpikeKernels.choices[spikeKernels] != nil else {
            throw ValidationError("--spike-kernels \"\(spikeKernels)\" is unknown; expected auto, dense or event.")
        }
        if densitySweep {
            // The sweep times convolutions alone: options of a network's step do not apply.
            let ignored: [(String, Bool)] = [
                ("--model", model != nil), ("--input-shape", inputShape != nil), ("--events", events),
                ("--firing-rate", firingRate != nil), ("--evaluate", evaluate), ("--against-dense", againstDense),
            ]
            for (flag, given) in ignored where given {
                throw ValidationError("\(flag) does not apply to --density-sweep, which times convolutions alone.")
            }
        }
        if againstDense && spikeKernels == "dense" {
            throw ValidationError(
                "--against-dense compares another path with the dense one; drop --spike-kernels dense.")
        }
        if let firingRate, !(firingRate > 0 && firingRate < 1) {
            throw ValidationError("--firing-rate must lie between 0 and 1 (exclusive), got \(firingRate).")
        }
        guard checkpoint != nil else {
            if data != nil { throw ValidationError("--data needs --checkpoint: bench times a checkpoint on data.") }
            return
        }
        guard data != nil else { throw ValidationError("--checkpoint needs --data, the folder of the data set.") }
        let refused: [(String, Bool)] = [
            ("--config", config != nil), ("--model", model != nil), ("--input-shape", inputShape != nil),
            ("--time-steps", timeSteps != nil), ("--events", events), ("--firing-rate", firingRate != nil),
            ("--density-sweep", densitySweep), ("--against-dense", againstDense),
        ]
        for (flag, given) in refused where given {
            throw ValidationError(
                "\(flag) cannot go with --checkpoint: the checkpoint brings its trained network and settings.")
        }
    }

    func run() throws {
        BLASKernels.ensureBestForThisCPU()  // may re-execute this process once, before any output
        EventConv2DCost.choice = BenchSpikeKernels.choices[spikeKernels] ?? .automatic
        if let threads { ComputeThreads.set(threads) }
        if densitySweep {
            try MPILauncher.refuseSeveralProcesses(program: "stbp bench --density-sweep")
            guard
                let layers = DensitySweep.layers(
                    ofConfig: config ?? "nmnist", batchSize: batchSize, timeSteps: timeSteps)
            else {
                throw ValidationError(
                    "--density-sweep takes --config nmnist or cifar10 (mnist has no spike-fed convolution).")
            }
            let rows = DensitySweep.run(layers: layers, repeats: iterations ?? 2)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(rows), as: UTF8.self))
            } else {
                print(DensitySweep.table(rows))
            }
            return
        }
        if let checkpoint, let data {
            try MPILauncher.refuseSeveralProcesses(program: "stbp bench --checkpoint")
            return try printReport(try benchCheckpoint(checkpoint, data: data))
        }
        var configuration: TrainingBenchmark.Configuration
        if let config {
            guard let named = TrainingBenchmark.named[config] else {
                throw ValidationError("--config \"\(config)\" is unknown; expected mnist, nmnist or cifar10.")
            }
            configuration = named
        } else {
            guard let model, let inputShape, let timeSteps, let batchSize else {
                throw ValidationError("Give --config NAME, or --model, --input-shape, --time-steps and --batch-size.")
            }
            configuration = TrainingBenchmark.Configuration(
                name: "custom", spec: model, inputShape: try parseShape(inputShape, option: "--input-shape"),
                timeSteps: timeSteps, batchSize: batchSize, events: events, iterations: 5)
        }
        if let model { configuration.spec = model }
        if let inputShape { configuration.inputShape = try parseShape(inputShape, option: "--input-shape") }
        if let timeSteps { configuration.timeSteps = timeSteps }
        if let batchSize { configuration.batchSize = batchSize }
        if let iterations { configuration.iterations = iterations }
        configuration.events = configuration.events || events
        configuration.evaluate = evaluate
        configuration.firingRate = firingRate
        configuration.againstDense = againstDense
        #if MPI
            if let group = try MPIProcessGroup.joinLaunchedJob(threads: threads) {
                guard !evaluate else { group.abort("Error: --evaluate times one process; run it without mpirun.") }
                guard firingRate == nil && !againstDense else {
                    group.abort("Error: --firing-rate and --against-dense time one process; run them without mpirun.")
                }
                do {
                    let report = try DataParallelBenchmark.run(configuration, group: group)
                    if group.rank == 0 { try printReport(report) }
                    return
                } catch {
                    group.abort("Error: \(error)")
                }
            }
        #else
            try MPILauncher.refuseSeveralProcesses(program: "stbp bench")
        #endif
        try printReport(try TrainingBenchmark.run(configuration))
    }

    /// Loads the checkpoint and the first training batches of the data (as many as the steps
    /// timed, in the order of its first epoch), then times the checkpoint's training step on them.
    func benchCheckpoint(_ path: String, data: String) throws -> TrainingBenchmark.Report {
        let file: SafeTensors
        do {
            file = try SafeTensors(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("--checkpoint \(path) cannot be read: \(error)")
        }
        guard Checkpoint.isCheckpoint(file) else {
            throw ValidationError(
                "--checkpoint \(path) is not a swift-stbp checkpoint (a plain weight file has no network).")
        }
        let saved = try Checkpoint(file, path: path)
        let trainer = try Trainer(resuming: saved, path: path)
        let splits = try reading.load(from: data, timeSteps: saved.configuration.timeSteps)
        try splits.check(fits: trainer.network, dataset: reading.dataset.rawValue)
        let loader = BatchLoader(
            dataset: splits.train, batchSize: batchSize ?? saved.configuration.batchSize, dropLast: true,
            seed: saved.configuration.seed)
        let steps = 1 + (iterations ?? 5)
        guard loader.batchCount >= 1 else {
            throw ValidationError(
                "--data \(data) has \(splits.train.count) training samples, fewer than one batch of \(loader.batchSize)."
            )
        }
        let batches = try (0..<min(steps, loader.batchCount)).map { try loader.batch($0, epoch: 0) }
        return try TrainingBenchmark.run(
            trainer: trainer, batches: batches, iterations: iterations ?? 5, evaluate: evaluate)
    }

    func printReport<Report: Encodable & CustomStringConvertible>(_ report: Report) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report)
        }
    }
}
