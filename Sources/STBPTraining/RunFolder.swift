import Foundation
import STBPNetwork
import STBPTensor

/// The folder of one training run:
///
///     configuration.json            the configuration used (and the command that made it)
///     metrics.jsonl                 one JSON object per line: "kind": "step" every N steps, "epoch" per epoch
///     checkpoint-last.safetensors   the latest state (each epoch, and on Ctrl-C)
///     checkpoint-best.safetensors   the state with the best test accuracy
///     loss.svg, accuracy.svg, firing-rates.svg   curves, redrawn after each epoch
///     raster.svg, firing-rate-histogram.svg, membrane.svg   one test sample's spikes, firing
///                                   rates and membrane potentials, redrawn after each epoch
///
/// Every file is written to a temporary file and renamed, so a killed run never leaves a
/// half-written file; the metrics log is appended line by line.
public struct RunFolder: Sendable {
    /// The folder.
    public let url: URL

    /// The run folder at `url`, created if needed (unless `create` is false: the processes of a
    /// data-parallel run other than rank 0 write nothing).
    public init(_ url: URL, create: Bool = true) throws {
        self.url = url
        if create { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    }

    /// configuration.json.
    public var configurationURL: URL { url.appendingPathComponent("configuration.json") }
    /// metrics.jsonl.
    public var metricsURL: URL { url.appendingPathComponent("metrics.jsonl") }
    /// checkpoint-last.safetensors.
    public var lastCheckpointURL: URL { url.appendingPathComponent("checkpoint-last.safetensors") }
    /// checkpoint-best.safetensors.
    public var bestCheckpointURL: URL { url.appendingPathComponent("checkpoint-best.safetensors") }

    /// Whether the folder holds a run: its configuration, metrics or a checkpoint.
    public var holdsRun: Bool {
        runFiles.contains { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// The files of a run in the folder: configuration, metrics, checkpoints and plots.
    var runFiles: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        let own = names.filter { $0.hasPrefix("checkpoint-") && $0.hasSuffix(".safetensors") || $0.hasSuffix(".svg") }
        return [configurationURL, metricsURL] + own.sorted().map { url.appendingPathComponent($0) }
    }

    /// Removes the run's files (configuration, metrics, checkpoints, plots) and nothing else.
    public func removeRun() throws {
        for file in runFiles where FileManager.default.fileExists(atPath: file.path) {
            try FileManager.default.removeItem(at: file)
        }
    }

    /// Saves the configuration, the command line, and the processes (ranks of a data-parallel
    /// run, 1 otherwise) and threads per process that run it, as pretty JSON.
    public func writeConfiguration(
        _ configuration: TrainingConfiguration, dataset: String, command: [String], processes: Int = 1,
        threadsPerProcess: Int = ComputeThreads.count
    ) throws {
        struct Record: Encodable {
            let configuration: TrainingConfiguration
            let dataset: String
            let command: [String]
            let processes: Int
            let threadsPerProcess: Int
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(
            try encoder.encode(
                Record(
                    configuration: configuration, dataset: dataset, command: command, processes: processes,
                    threadsPerProcess: threadsPerProcess)),
            to: configurationURL)
    }

    /// Appends one JSON object as a line of the metrics log.
    public func appendMetrics(_ record: [String: MetricValue]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(record)
        line.append(0x0A)
        if let handle = try? FileHandle(forWritingTo: metricsURL) {
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        } else {
            try line.write(to: metricsURL)
        }
    }

    /// The records of the metrics log (lines that do not parse are skipped).
    public func readMetrics() -> [[String: MetricValue]] {
        guard let data = try? Data(contentsOf: metricsURL) else { return [] }
        return data.split(separator: 0x0A).compactMap {
            try? JSONDecoder().decode([String: MetricValue].self, from: Data($0))
        }
    }

    /// Drops the log records written after optimizer step `step` (for a resumed run).
    public func truncateMetrics(afterStep step: Int) throws {
        guard FileManager.default.fileExists(atPath: metricsURL.path) else { return }
        let kept = readMetrics().filter { ($0["step"]?.number ?? 0) <= Double(step) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = Data()
        for record in kept {
            data.append(try encoder.encode(record))
            data.append(0x0A)
        }
        try AtomicFile.write(data, to: metricsURL)
    }
}

/// A number or a string in the metrics log.
public enum MetricValue: Codable, Sendable, Equatable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral
{
    /// A number.
    case number(Double)
    /// A string.
    case text(String)

    /// A number.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// A whole number.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// A string.
    public init(stringLiteral value: String) { self = .text(value) }

    /// The number, if this is one.
    public var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// A JSON number, or a string.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    /// A number as a JSON number (a non-finite one as its text, "nan"), a string as a string.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let value): try value.isFinite ? container.encode(value) : container.encode("\(value)")
        case .text(let value): try container.encode(value)
        }
    }
}
