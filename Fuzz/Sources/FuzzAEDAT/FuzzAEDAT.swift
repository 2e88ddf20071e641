import FuzzSupport
import STBP

/// The binnings of the DVS-CIFAR10 recipes, on frames smaller than the 128x128 sensor: counts
/// over equal time spans, binary over equal event counts, and a time window.
let binnings = [
    EventBinning(frames: 4, split: .time, values: .counts, size: .init(height: 48, width: 48)),
    EventBinning(frames: 3, split: .eventCount, values: .binary, size: .init(height: 32, width: 32)),
    EventBinning(
        frames: 2, split: .time, values: .counts, size: .init(height: 16, width: 16),
        window: .init(start: 0, length: 500_000)),
]

/// The AEDAT 2.0 (DVS128) reader on the input as a file's bytes, with both address decodings,
/// then the binning into frames. A `DataError` is the expected outcome for bad input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    for decoding in [AEDAT2Format.Decoding.jAER, .spikingJelly] {
        expectingOnly(DataError.self, from: "AEDAT2Format.decode") {
            let recording = try AEDAT2Format.decode(bytes, path: "fuzz-input.aedat", decoding: decoding)
            check(!recording.events.isEmpty, "an AEDAT recording without events was accepted")
            check(recording.events.count <= size / 8, "more events than 8-byte records")
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
