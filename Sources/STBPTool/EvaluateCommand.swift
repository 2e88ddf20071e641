import ArgumentParser
import Foundation
import STBP

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a checkpoint (or PyTorch weights, or a NIR graph) on a data set's test part.",
        discussion: """
            Prints accuracy, loss, per-class accuracy, the confusion matrix and each spiking layer's firing rate. \
            A swift-stbp checkpoint brings its own network and neuron settings; a plain safetensors file of \
            layers.<i>.weight/bias (for example saved from PyTorch) needs --model and the neuron options. \
            `--model FILE.nir` (without --checkpoint) runs a NIR graph written by swift-stbp or another framework.
            """)

    @Option(help: "A checkpoint or weight file (.safetensors).")
    var checkpoint: String?

    @OptionGroup var data: DataOptions

    @Option(help: "The network spec, for a plain weight file; or a NIR file (.nir) to run on its own.")
    var model: String?

    @Option(help: "The time step dt of a NIR graph's LIF and IF nodes (default: the graph's dt metadata).")
    var dt: Double?

    @OptionGroup var neuron: NeuronOptions

    @Option(help: "Time steps T, for a plain weight file (default: 8).")
    var timeSteps: Int = 8

    @Option(help: "Input encoding, for a plain weight file: direct or bernoulli.")
    var encoding: Encoding = .direct

    @Option(help: "Loss reported, for a plain weight file: mse or cross-entropy.")
    var loss: Loss = .meanSquaredError

    @Option(help: "Samples per batch.")
    var batchSize: Int = 100

    @Option(help: "Threads for OpenBLAS and the package's loops (default: all cores).")
    var threads: Int?

    @Option(help: "The most memory evaluation may need, e.g. 8G or 512M (default: the machine's memory).")
    var memoryLimit: String?

    @Flag(help: "Print the evaluation as one JSON object (its keys: Docs/JSON.md).")
    var json = false

    func validate() throws {
        try ArgumentCheck.count("--time-steps", timeSteps)
        try ArgumentCheck.count("--batch-size", batchSize)
        try ArgumentCheck.count("--threads", threads)
        _ = try parseMemory(memoryLimit, option: "--memory-limit")
        if let dt { try checkTimeStep(dt) }
        if checkpoint == nil, !isNIR {
            throw ValidationError("Give --checkpoint, or --model with a NIR file (.nir).")
        }
        if checkpoint != nil, isNIR {
            throw ValidationError("A NIR file (--model) brings its weights; drop --checkpoint.")
        }
    }

    /// Whether --model names a NIR file.
    var isNIR: Bool { model?.lowercased().hasSuffix(".nir") ?? false }

    func run() throws {
        if let threads { ComputeThreads.set(threads) }
        guard let checkpoint else { return try evaluateNIR(model!) }
        let file = try SafeTensors(contentsOf: URL(fileURLWithPath: checkpoint))
        if Checkpoint.isCheckpoint(file) {
            // A checkpoint brings its network; its own errors are reported as they are.
            let saved = try Checkpoint(file, path: checkpoint)
            let splits = try data.load(timeSteps: saved.configuration.timeSteps)
            return try evaluate(try Trainer(resuming: saved, path: checkpoint), splits: splits)
        }
        guard let model else {
            throw ValidationError("\(checkpoint) is not a swift-stbp checkpoint; give the network with --model.")
        }
        let splits = try data.load(timeSteps: timeSteps)
        let trainer = try Trainer(
            TrainingConfiguration(
                spec: model, inputShape: splits.inputShape,
                network: try neuron.networkOptions(classes: data.dataset.classCount), timeSteps: timeSteps,
                encoding: encoding, loss: loss))
        try trainer.network.loadParameters(from: file, path: checkpoint)
        try evaluate(trainer, splits: splits)
    }

    /// Imports the NIR graph at `path` and evaluates it with the command's time steps, encoding and loss.
    func evaluateNIR(_ path: String) throws {
        let network = try Network(nir: try NIRGraph(contentsOf: URL(fileURLWithPath: path)), timeStep: dt)
        let splits = try data.load(timeSteps: timeSteps)
        let trainer = try Trainer(
            network: network,
            configuration: TrainingConfiguration(
                spec: network.spec?.text, inputShape: network.inputShape, timeSteps: timeSteps, encoding: encoding,
                loss: loss))
        try evaluate(trainer, splits: splits)
    }

    /// Checks the data against the network and the memory limit, then prints the evaluation.
    func evaluate(_ trainer: Trainer, splits: DatasetSplits) throws {
        try splits.check(fits: trainer.network, dataset: data.dataset.rawValue)
        try MemoryEstimate(
            trainer.network, timeSteps: splits.frames ?? trainer.configuration.timeSteps, batchSize: batchSize,
            training: false
        ).check(
            limit: try parseMemory(memoryLimit, option: "--memory-limit") ?? MemorySize.physical,
            what: "Evaluating batches of \(batchSize)")
        let evaluation = try trainer.evaluate(BatchLoader(dataset: splits.test, batchSize: batchSize, shuffle: false))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            // A diverged network's loss is printed as metrics.jsonl writes it, not refused.
            encoder.nonConformingFloatEncodingStrategy = .convertToString(
                positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            print(String(decoding: try encoder.encode(evaluation), as: UTF8.self))
            return
        }
        print(EvaluationReport(evaluation: evaluation, classNames: splits.classNames, network: trainer.network))
    }
}

/// The text an evaluation prints: totals, per-class accuracy, confusion matrix, firing rates.
struct EvaluationReport: CustomStringConvertible {
    let evaluation: Evaluation
    let classNames: [String]
    let network: Network

    var description: String {
        var lines = [
            String(
                format: "accuracy %.2f%% (%d samples), loss %.5f", 100 * evaluation.accuracy, evaluation.count,
                evaluation.loss),
            "",
            "per-class accuracy:",
        ]
        for (index, accuracy) in evaluation.perClassAccuracy.enumerated() {
            let name = index < classNames.count ? classNames[index] : "\(index)"
            lines.append(
                "  \(name.padding(toLength: 12, withPad: " ", startingAt: 0)) "
                    + (accuracy.map { String(format: "%6.2f%%", 100 * $0) } ?? "  (none)"))
        }
        lines.append("")
        lines.append("confusion matrix (rows: label, columns: prediction):")
        let width = max(5, String(evaluation.confusion.flatMap { $0 }.max() ?? 0).count + 1)
        lines.append("      " + evaluation.confusion.indices.map { pad("\($0)", width) }.joined())
        for (row, counts) in evaluation.confusion.enumerated() {
            lines.append(pad("\(row)", 5) + " " + counts.map { pad("\($0)", width) }.joined())
        }
        lines.append("")
        lines.append("firing rate per spiking layer:")
        for path in network.spikingLayers {
            let rate = evaluation.firingRates[path] ?? 0
            lines.append(
                "  \(path): \(network.label(ofLayerAt: path).padding(toLength: 14, withPad: " ", startingAt: 0)) "
                    + String(format: "%.4f", rate))
        }
        return lines.joined(separator: "\n")
    }

    func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
