import Foundation
import STBPTensor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a TensorBoard event file: scalars and histograms by tag and step, for
/// `tensorboard --logdir <folder>` or any reader of the format.
///
///     let board = try TensorBoardWriter(folder: URL(fileURLWithPath: "runs/mnist/tensorboard"))
///     board.addScalar("train/loss", 0.25, step: 100)
///     board.addHistogram("weights/layers.0.weight", network.parameterTensors["layers.0.weight"]!.scalars, step: 100)
///     try board.flush()
///
/// The file is `events.out.tfevents.<unix seconds>.<hostname>` in `folder`: TFRecord framing
/// (`TFRecord`) of Event messages (`TensorBoardEvent`), the first one the file version
/// "brain.Event:2", then one event per value with its wall time, step and a summary value.
/// Values wait in memory until `flush()` appends them, so the file only ever grows by whole
/// records. Each writer starts a new file, named after the newest one already in the folder
/// (TensorBoard reads a folder's files in name order and merges them); one that continues a run
/// (`continuing`) skips the steps the folder's files already hold, so a resumed run adds no
/// second value at a step.
public final class TensorBoardWriter {
    /// The folder of the event files.
    public let folder: URL
    /// The event file this writer appends to.
    public let file: URL
    /// The last step of each tag in the folder's earlier event files when continuing (empty
    /// otherwise): a value at that step or an earlier one is not written again.
    public let stepsWritten: [String: Int]
    private var pending: [UInt8] = []

    /// The prefix of every event file's name.
    static let filePrefix = "events.out.tfevents."

    /// A new event file in `folder` (created when missing). `continuing`: the folder's event files
    /// are this run's so far, and values at steps they hold for a tag are left out.
    public init(folder: URL, continuing: Bool = false) throws {
        self.folder = folder
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw FileWriteError(path: folder.path, "cannot create the folder (\(error.localizedDescription))")
        }
        let earlier = Self.eventFiles(in: folder)
        stepsWritten = continuing ? Self.lastSteps(in: earlier) : [:]
        let newest = earlier.compactMap(Self.seconds(of:)).max() ?? -1
        let seconds = max(Int(Date().timeIntervalSince1970), newest + 1)
        file = folder.appendingPathComponent("\(Self.filePrefix)\(seconds).\(Self.hostname)")
        let header = TensorBoardEvent(
            wallTime: Date().timeIntervalSince1970, step: 0, content: .fileVersion("brain.Event:2"))
        guard FileManager.default.createFile(atPath: file.path, contents: Data(TFRecord.frame(header.bytes))) else {
            throw FileWriteError(path: file.path, "cannot create the event file")
        }
    }

    /// Adds a scalar (stored as a 32-bit float, as TensorBoard's `simple_value`).
    public func addScalar(_ tag: String, _ value: Double, step: Int) {
        add(TensorBoardEvent.Value(tag: tag, content: .scalar(Float(value))), step: step)
    }

    /// Adds the histogram of `values` (count, minimum, maximum, sum, sum of squares and `buckets`
    /// equal-width buckets between the minimum and the maximum; non-finite values are left out).
    public func addHistogram(_ tag: String, _ values: some Collection<Float>, step: Int, buckets: Int = 30) {
        guard !isWritten(tag, step) else { return }
        add(
            TensorBoardEvent.Value(tag: tag, content: .histogram(TensorBoardHistogram(values, buckets: buckets))),
            step: step)
    }

    /// Appends the values added since the last flush to the file.
    public func flush() throws {
        guard !pending.isEmpty else { return }
        do {
            let handle = try FileHandle(forWritingTo: file)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: pending)
        } catch {
            throw FileWriteError(path: file.path, "cannot append to the event file (\(error.localizedDescription))")
        }
        pending.removeAll(keepingCapacity: true)
    }

    func isWritten(_ tag: String, _ step: Int) -> Bool { stepsWritten[tag].map { step <= $0 } ?? false }

    func add(_ value: TensorBoardEvent.Value, step: Int) {
        guard !isWritten(value.tag, step) else { return }
        let event = TensorBoardEvent(
            wallTime: Date().timeIntervalSince1970, step: Int64(step), content: .summary([value]))
        pending += TFRecord.frame(event.bytes)
    }

    /// The event files in `folder`, in name order.
    static func eventFiles(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasPrefix(filePrefix) }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// The unix seconds in an event file's name.
    static func seconds(of file: URL) -> Int? {
        Int(file.lastPathComponent.dropFirst(filePrefix.count).prefix { $0 != "." })
    }

    /// The last step of each tag in `files` (up to a file's first damaged record).
    static func lastSteps(in files: [URL]) -> [String: Int] {
        var steps: [String: Int] = [:]
        for file in files {
            guard let data = try? Data(contentsOf: file) else { continue }
            for record in TFRecord.records(in: [UInt8](data)) {
                guard let (step, tags) = TensorBoardEvent.stepAndTags(of: record) else { continue }
                for tag in tags { steps[tag] = max(steps[tag] ?? .min, Int(step)) }
            }
        }
        return steps
    }

    /// This machine's name, as TensorFlow puts it in event file names.
    static var hostname: String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return host.isEmpty ? "localhost" : host.replacingOccurrences(of: "/", with: "_")
    }
}
