import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file that could not be written: the file and what failed. Nothing was changed: the file
/// is as it was before, and no temporary file is left behind.
public struct FileWriteError: Error, CustomStringConvertible, Equatable {
    /// The file.
    public let path: String
    /// What failed.
    public let reason: String

    /// An error writing `path`.
    public init(path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    /// "<path>: <reason>."
    public var description: String { "\(path): \(reason)." }
}

/// The package's one way to write a file: whole or not at all.
package enum AtomicFile {
    /// Writes `data` to a temporary file next to `url` (creating the folder when missing), flushes
    /// it to disk, renames it over `url` and flushes the folder, so that a reader, a crash or a
    /// power cut sees the old file or the new one, never a mix. On any failure the temporary
    /// file is removed and `FileWriteError` names the file and the step that failed.
    package static func write(_ data: Data, to url: URL) throws(FileWriteError) {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw FileWriteError(
                path: url.path, "cannot create the folder \(folder.path) (\(error.localizedDescription))")
        }
        do throws(FileWriteError) {
            try writeAndFlush(data, to: temporary.path)
            guard rename(temporary.path, url.path) == 0 else {
                throw FileWriteError(path: url.path, "cannot move the temporary file into place (\(lastError))")
            }
        } catch {
            unlink(temporary.path)
            throw error
        }
        flushFolder(folder.path)
    }

    /// Creates `path` (mode 0644), writes every byte and fsyncs it.
    static func writeAndFlush(_ data: Data, to path: String) throws(FileWriteError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileWriteError(path: path, "cannot create the file (\(lastError))") }
        defer { close(descriptor) }
        let failure: String? = data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                #if canImport(Glibc)
                    let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                #else
                    let written = Darwin.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                #endif
                if written < 0 {
                    if errno == EINTR { continue }
                    return "cannot write (\(lastError))"
                }
                offset += written
            }
            return fsync(descriptor) == 0 ? nil : "cannot flush the file to disk (\(lastError))"
        }
        if let failure { throw FileWriteError(path: path, failure) }
    }

    /// fsyncs a folder, so that a rename in it survives a crash; some file systems refuse, which
    /// changes nothing but that guarantee.
    static func flushFolder(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    static var lastError: String { String(cString: strerror(errno)) }
}
