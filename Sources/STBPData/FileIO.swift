import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Small file-system helpers shared by the readers, writers and the frame cache.
enum FileIO {
    /// The bytes of the file at `url`, or a `DataError` naming it.
    static func read(_ url: URL) throws -> [UInt8] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw DataError(.unreadable, path: url.path, "the file does not exist")
        }
        guard !isFolder.boolValue else {
            throw DataError(.unreadable, path: url.path, "expected a file, found a folder")
        }
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw DataError(.unreadable, path: url.path, "cannot read the file (\(error.localizedDescription))")
        }
    }

    /// Creates `folder` and its parents, as a `DataError` on failure.
    static func createFolder(_ folder: URL) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw DataError(.unreadable, path: folder.path, "cannot create the folder (\(error.localizedDescription))")
        }
    }

    /// The size and modification time (seconds and nanoseconds) of the file at `path`, or nil.
    static func fingerprint(_ path: String) -> (size: Int64, seconds: Int64, nanoseconds: Int64)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
            return (Int64(info.st_size), Int64(info.st_mtimespec.tv_sec), Int64(info.st_mtimespec.tv_nsec))
        #else
            return (Int64(info.st_size), Int64(info.st_mtim.tv_sec), Int64(info.st_mtim.tv_nsec))
        #endif
    }

    /// The entries of the folder at `url` sorted by name (hidden entries left out), split into
    /// sub-folders and files; throws when the folder is missing.
    static func list(_ url: URL) throws -> (folders: [URL], files: [URL]) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw DataError(.unreadable, path: url.path, "expected a folder, but there is none")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        } catch {
            throw DataError(.unreadable, path: url.path, "cannot list the folder (\(error.localizedDescription))")
        }
        var folders: [URL] = []
        var files: [URL] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let entry = url.appendingPathComponent(name)
            var entryIsFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: entry.path, isDirectory: &entryIsFolder)
            if entryIsFolder.boolValue { folders.append(entry) } else { files.append(entry) }
        }
        return (folders, files)
    }
}

/// Reads big-endian integers from a byte array at checked offsets.
extension Array where Element == UInt8 {
    /// The big-endian UInt32 at `offset`; the caller has checked that four bytes are present.
    func bigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8
            | UInt32(self[offset + 3])
    }

    /// Appends `value` as four big-endian bytes.
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 24))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }
}
