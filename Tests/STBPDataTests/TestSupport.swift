import Foundation
import STBPData
import STBPTensor
import Testing

/// The shared real data folder (../shared/data next to the package), or nil when absent.
let sharedData: URL? = {
    let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let url = root.deletingLastPathComponent().appendingPathComponent("shared/data").standardizedFileURL
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
}()

/// Whether the real data folder is present; tests that need it are skipped (with this reason
/// shown in the test report) when it is not.
let hasSharedData = sharedData != nil
let noSharedDataReason: Comment = "../shared/data is absent: real-data test skipped"

/// A fresh temporary folder, removed by the caller (`defer { remove(folder) }`).
func temporaryFolder(_ label: String = "data") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("stbp-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Removes a temporary folder.
func remove(_ url: URL) {
    try? FileManager.default.removeItem(at: url)
}

/// Writes `bytes` to `url`, creating folders.
func write(_ bytes: [UInt8], to url: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
}

/// The `DataError` that `body` throws, or nil (recording an issue for any other error).
func dataError<T>(_ body: () throws -> T) -> DataError? {
    do {
        _ = try body()
        return nil
    } catch let error as DataError {
        return error
    } catch {
        Issue.record("expected a DataError, got \(error)")
        return nil
    }
}
