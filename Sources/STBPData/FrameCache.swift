import Foundation
import STBPTensor

/// A disk cache of binned event frames, so later epochs and runs skip parsing and binning.
///
/// Each entry is a safetensors file in `directory` named by a hash of the source path and the
/// key, holding the frames (as `U8` when every value is a whole number in 0...255, else `F32`)
/// and, in its metadata, the source path, the key (which names every reading and binning
/// parameter), and the source file's size and modification time. An entry is used only when
/// all of these match, so changing the source file or any parameter invalidates it. Entries
/// are written atomically (temporary file, then rename); an unreadable or foreign entry is
/// treated as missing and rewritten. Several threads or processes may share one directory.
public struct FrameCache: Sendable {
    /// The folder that holds the entries.
    public let directory: URL

    /// A cache in `directory` (created when first written to).
    public init(directory: URL) {
        self.directory = directory
    }

    /// A version tag stored in every entry; bump it when binning semantics change.
    static let formatVersion = "stbp-frames-1"

    /// The entry file for `source` and `key`.
    package func entryURL(source: URL, key: String) -> URL {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a 64
        for byte in "\(source.standardizedFileURL.path)\u{0}\(key)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        let name = String(hash, radix: 16)
        return directory.appendingPathComponent(String(repeating: "0", count: 16 - name.count) + name + ".safetensors")
    }

    /// The metadata an entry for `source` and `key` must carry, or nil when `source` is missing.
    func expectedMetadata(source: URL, key: String) -> [String: String]? {
        guard let print = FileIO.fingerprint(source.path) else { return nil }
        return [
            "format": FrameCache.formatVersion,
            "source": source.standardizedFileURL.path,
            "key": key,
            "source_size": String(print.size),
            "source_mtime": "\(print.seconds).\(print.nanoseconds)",
        ]
    }

    /// The cached frames for `source` under `key`, or nil when there is no valid entry.
    public func load(source: URL, key: String) -> Tensor? {
        guard let expected = expectedMetadata(source: source, key: key),
            let entry = try? SafeTensors(contentsOf: entryURL(source: source, key: key)),
            entry.metadata == expected
        else { return nil }
        return FrameCache.frames(of: entry)
    }

    /// The frames tensor stored in an entry, or nil when it has none.
    static func frames(of entry: SafeTensors) -> Tensor? {
        switch entry.entries["frames"] {
        case .float32(let tensor)?:
            return tensor
        case .uint8(let shape, let values)?:
            return Tensor(shape: shape) { out in
                for i in 0..<values.count { out[i] = Float(values[i]) }
            }
        default:
            return nil
        }
    }

    /// Stores `frames` for `source` under `key`, replacing any older entry; call it right after
    /// reading the source, since the entry records the source's current size and time. Throws
    /// `DataError` when `source` does not exist or the entry cannot be written.
    public func store(_ frames: Tensor, source: URL, key: String) throws {
        guard let metadata = expectedMetadata(source: source, key: key) else {
            throw DataError(.unreadable, path: source.path, "the source file of a cache entry does not exist")
        }
        try store(frames, metadata: metadata, entry: entryURL(source: source, key: key))
    }

    /// Writes an entry with the given metadata.
    func store(_ frames: Tensor, metadata: [String: String], entry url: URL) throws {
        let fitsBytes = frames.withUnsafeBufferPointer { values in
            values.allSatisfy { $0 >= 0 && $0 <= 255 && $0.rounded() == $0 }
        }
        let entry: SafeTensors.Entry =
            fitsBytes
            ? .uint8(shape: frames.shape, values: frames.withUnsafeBufferPointer { $0.map { UInt8($0) } })
            : .float32(frames)
        let file = SafeTensors(entries: ["frames": entry], metadata: metadata)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try file.write(to: url)
        } catch {
            throw DataError(.unreadable, path: directory.path, "cannot write a cache entry (\(error))")
        }
    }

    /// The cached frames for `source` under `key`, or `make()`'s frames, stored for next time.
    /// `hit` tells which. Rethrows `make()`'s error; throws `DataError` when the entry cannot be
    /// written.
    public func frames(source: URL, key: String, make: () throws -> Tensor) throws -> (frames: Tensor, hit: Bool) {
        // The fingerprint is taken before reading, so a file changed meanwhile is not cached as new.
        guard let metadata = expectedMetadata(source: source, key: key) else {
            return (try make(), false)  // make() reports the missing file.
        }
        let url = entryURL(source: source, key: key)
        if let entry = try? SafeTensors(contentsOf: url), entry.metadata == metadata,
            let cached = FrameCache.frames(of: entry)
        {
            return (cached, true)
        }
        let made = try make()
        try store(made, metadata: metadata, entry: url)
        return (made, false)
    }
}
