import Foundation
import STBPNetwork
import STBPTensor

/// A training run saved to disk in the safetensors format.
///
/// The parameters are stored under their own names (`layers.<i>.weight`), so PyTorch loads
/// them with `safetensors.torch.load_file` as they are; the optimizer state is stored as
/// `optimizer.<key>`, and the configuration and progress as JSON in the metadata. Files are
/// written to a temporary file and renamed, so a killed process leaves the last checkpoint valid.
public struct Checkpoint: Sendable {
    /// The run's configuration.
    public var configuration: TrainingConfiguration
    /// The parameters by name.
    public var parameters: [String: Tensor]
    /// The optimizer's state by key.
    public var optimizerState: [String: Tensor]
    /// Where the run stands.
    public var progress: TrainingProgress

    static let format = "stbp-checkpoint-1"

    /// A checkpoint of the given parts.
    public init(
        configuration: TrainingConfiguration, parameters: [String: Tensor], optimizerState: [String: Tensor],
        progress: TrainingProgress
    ) {
        self.configuration = configuration
        self.parameters = parameters
        self.optimizerState = optimizerState
        self.progress = progress
    }

    /// Writes the checkpoint atomically.
    public func write(to url: URL) throws {
        var entries: [String: SafeTensors.Entry] = [:]
        for (name, tensor) in parameters { entries[name] = .float32(tensor) }
        for (key, tensor) in optimizerState { entries["optimizer.\(key)"] = .float32(tensor) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let metadata = [
            "format": Checkpoint.format,
            "configuration": String(decoding: try encoder.encode(configuration), as: UTF8.self),
            "progress": String(decoding: try encoder.encode(progress), as: UTF8.self),
        ]
        try SafeTensors(entries: entries, metadata: metadata).write(to: url)
    }

    /// Reads a checkpoint written by `write(to:)`; throws `CheckpointError` naming the file.
    public init(contentsOf url: URL) throws {
        try self.init(SafeTensors(contentsOf: url), path: url.path)
    }

    /// Whether `file` says it is a swift-stbp checkpoint (of any version), as opposed to a plain
    /// weight file.
    public static func isCheckpoint(_ file: SafeTensors) -> Bool { file.metadata["format"] != nil }

    /// The checkpoint in a safetensors file read from `path`; throws `CheckpointError` naming it
    /// and what is wrong: the format, the metadata, a configuration out of range, a tensor's dtype.
    public init(_ file: SafeTensors, path: String) throws {
        let url = URL(fileURLWithPath: path)
        guard let format = file.metadata["format"] else {
            throw CheckpointError(path: path, reason: "not a swift-stbp checkpoint (no \"format\" metadata)")
        }
        guard format == Checkpoint.format else {
            throw CheckpointError(path: path, reason: "format \"\(format)\" is not \"\(Checkpoint.format)\"")
        }
        guard let configurationText = file.metadata["configuration"], let progressText = file.metadata["progress"]
        else {
            throw CheckpointError(path: path, reason: "its metadata lacks \"configuration\" or \"progress\"")
        }
        do {
            configuration = try JSONDecoder().decode(TrainingConfiguration.self, from: Data(configurationText.utf8))
            progress = try JSONDecoder().decode(TrainingProgress.self, from: Data(progressText.utf8))
        } catch {
            throw CheckpointError(path: url.path, reason: "its metadata does not decode: \(error)")
        }
        do {
            try configuration.check()
        } catch {
            throw CheckpointError(path: url.path, reason: "\(error)")
        }
        var parameters: [String: Tensor] = [:]
        var optimizerState: [String: Tensor] = [:]
        for (name, entry) in file.entries {
            guard case .float32(let tensor) = entry else {
                throw CheckpointError(
                    path: url.path, reason: "tensor \"\(name)\" has dtype \(entry.dtype), expected F32")
            }
            if name.hasPrefix("optimizer.") {
                optimizerState[String(name.dropFirst("optimizer.".count))] = tensor
            } else {
                parameters[name] = tensor
            }
        }
        self.parameters = parameters
        self.optimizerState = optimizerState
    }
}

/// A checkpoint that cannot be used: the file and why.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The file.
    public let path: String
    /// What is wrong with it.
    public let reason: String
    /// "<path>: <reason>."
    public var description: String { "\(path): \(reason.hasSuffix(".") ? String(reason.dropLast()) : reason)." }
}
