import FuzzSupport
import STBP

/// The binnings of the N-MNIST recipes: 34x34 frames of counts over equal time spans, and
/// binary 17x17 frames over equal event counts in a time window.
let binnings = [
    EventBinning(frames: 5, split: .time, values: .counts),
    EventBinning(frames: 3, split: .eventCount, values: .binary, size: .init(height: 17, width: 17)),
    EventBinning(frames: 4, split: .time, values: .binary, window: .init(start: 1000, length: 100_000)),
]

/// The N-MNIST event reader on the input as a file's bytes, all events and the first saccade,
/// then the binning into frames. A `DataError` is the expected outcome for bad input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    for firstSaccadeOnly in [false, true] {
        expectingOnly(DataError.self, from: "NMNISTFormat.decode") {
            let recording = try NMNISTFormat.decode(bytes, path: "fuzz-input.bin", firstSaccadeOnly: firstSaccadeOnly)
            check(!recording.events.isEmpty, "an N-MNIST recording without events was accepted")
            check(recording.events.count <= size / 5, "more events than 5-byte records")
            for event in recording.events {
                check(
                    Int(event.x) < recording.width && Int(event.y) < recording.height && event.polarity <= 1
                        && event.timestamp >= 0,
                    "event \(event) is off the \(recording.width)x\(recording.height) sensor")
            }
            checkBinnings(recording, binnings)
        }
    }
    return 0
}
