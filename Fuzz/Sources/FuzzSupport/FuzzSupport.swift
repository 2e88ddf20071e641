import Foundation
import STBP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The fuzzer's input as a byte array.
public func inputBytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}

/// Runs `body`, which reads the input with `reader`: returning or throwing `E` (the reader's
/// error for bad input) are the expected outcomes; any other error stops the fuzzer, as a trap,
/// an overflow or an out-of-bounds access in `body` does.
public func expectingOnly<E: Error>(_: E.Type, from reader: String, _ body: () throws -> Void) {
    do {
        try body()
    } catch is E {
        return
    } catch {
        fatalError("\(reader) threw \(type(of: error)), expected \(E.self) or success: \(error)")
    }
}

/// Like `expectingOnly`, with two accepted error types.
public func expectingOnly<E1: Error, E2: Error>(
    _: E1.Type, _: E2.Type, from reader: String, _ body: () throws -> Void
) {
    do {
        try body()
    } catch is E1 {
        return
    } catch is E2 {
        return
    } catch {
        fatalError("\(reader) threw \(type(of: error)), expected \(E1.self), \(E2.self) or success: \(error)")
    }
}

/// Like `expectingOnly`, with any number of accepted error types.
public func expectingOnly(_ types: [Any.Type], from reader: String, _ body: () throws -> Void) {
    do {
        try body()
    } catch {
        if types.contains(where: { $0 == type(of: error) }) { return }
        fatalError("\(reader) threw \(type(of: error)), expected one of \(types) or success: \(error)")
    }
}

/// Stops the fuzzer when `condition` is false: a reader returned data that breaks its own rules.
public func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant broken: \(message())") }
}

/// Bins `recording` into frames as the event data sets do, with each of `binnings`: the frames
/// must have the binning's shape and non-negative values, and frames of counts must hold every
/// event when the bins tile the recording (equal event counts, or equal time spans over events in
/// time order, without a time window). A `DataError` (no events in the window) is expected.
public func checkBinnings(_ recording: EventRecording, _ binnings: [EventBinning]) {
    let times = recording.events.map(\.timestamp)
    let inOrder = zip(times, times.dropFirst()).allSatisfy { $0 <= $1 }
    for binning in binnings {
        expectingOnly(DataError.self, from: "EventBinning.frames") {
            let frames = try binning.frames(recording, path: "fuzz-input")
            let shape = binning.frameShape(sensorWidth: recording.width, sensorHeight: recording.height)
            check(frames.shape == shape, "frames of shape \(frames.shape), expected \(shape)")
            check(frames.min() >= 0, "a negative frame value")
            if binning.values == .binary { check(frames.max() <= 1, "a binary frame value above 1") }
            if binning.values == .counts, binning.window == nil, binning.split == .eventCount || inOrder {
                check(
                    Int(frames.sum()) == recording.events.count,
                    "frames hold \(frames.sum()) of \(recording.events.count) events (\(binning.key))")
            }
        }
    }
}

/// A file in memory-backed /dev/shm (or the temporary folder), one per process, that each run
/// overwrites with its input (for readers that only take a path); removed when the process exits
/// normally. On disk, writing and mapping a file each run is ten times slower.
public final class TemporaryInput: @unchecked Sendable {
    /// The file's URL.
    public let url: URL

    /// A file named `stbp-fuzz-<label>-<pid>.<ext>` in /dev/shm, or in the temporary folder
    /// when /dev/shm is not writable.
    public init(label: String, extension ext: String) {
        let folder =
            access("/dev/shm", W_OK) == 0
            ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
        url = folder.appendingPathComponent("stbp-fuzz-\(label)-\(getpid()).\(ext)")
        TemporaryInput.paths.append(url.path)
        if TemporaryInput.paths.count == 1 {
            atexit {
                for path in TemporaryInput.paths { unlink(path) }
            }
        }
    }

    /// Replaces the file's contents with `bytes`.
    public func write(_ data: UnsafePointer<UInt8>, _ size: Int) {
        guard let file = fopen(url.path, "wb") else { fatalError("cannot open \(url.path) for writing") }
        let written = size == 0 ? 0 : fwrite(data, 1, size, file)
        fclose(file)
        if written != size { fatalError("cannot write \(size) bytes to \(url.path)") }
    }

    /// The paths to remove at exit (the fuzzer runs inputs on one thread).
    nonisolated(unsafe) static var paths: [String] = []
}
