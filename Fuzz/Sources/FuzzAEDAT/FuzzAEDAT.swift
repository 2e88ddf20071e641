import FuzzSupport
import STBP

/// The AEDAT 2.0 (DVS128) reader on the input as a file's bytes, with both address decodings.
/// A `DataError` is the expected outcome for bad input.
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
        }
    }
    return 0
}
