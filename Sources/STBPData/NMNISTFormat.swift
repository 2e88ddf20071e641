import Foundation
import STBPTensor

/// The N-MNIST (and N-Caltech101, ATIS) binary event format: 5 bytes per event.
///
/// Byte 0 is x, byte 1 is y, the top bit of byte 2 is the polarity, and the low 7 bits of
/// byte 2 with bytes 3 and 4 are a 23-bit big-endian timestamp in microseconds.
///
/// Overflow markers: records whose y byte is 240 are not events but timestamp-overflow markers.
/// As in Garrick Orchard's reference reader (and Tonic, which follows it), a marker is dropped
/// and 2^13 = 8192 microseconds are added to the timestamp of every later event. The released
/// N-MNIST recordings (about 300 ms, far below the 8.4 s a 23-bit timestamp spans) contain
/// none, so this only matters for other recordings in the format; SpikingJelly's `load_ATIS_bin`
/// does not treat them specially. Any other event outside the 34x34 sensor is an error.
public enum NMNISTFormat {
    /// The N-MNIST sensor width and height.
    public static let sensorSize = 34
    /// The y value that marks a timestamp overflow.
    public static let overflowMarker: UInt8 = 240
    /// Microseconds added to later timestamps at each overflow marker.
    public static let overflowIncrement: Int64 = 1 << 13
    /// The length of the first of the three saccades, in microseconds (as in Tonic).
    public static let saccadeLength: Int64 = 100_000

    /// Decodes the events of an N-MNIST file; `path` names it in errors.
    ///
    /// With `firstSaccadeOnly`, only events before `saccadeLength` microseconds are kept.
    /// Throws when the size is not a multiple of 5, an event lies outside the 34x34 sensor, or no
    /// events remain.
    public static func decode(_ bytes: [UInt8], path: String, firstSaccadeOnly: Bool = false) throws -> EventRecording {
        guard bytes.count % 5 == 0 else {
            throw DataError(
                .badSize, path: path, offset: bytes.count - bytes.count % 5,
                "expected 5-byte events, the file has \(bytes.count) bytes (\(bytes.count % 5) left over)")
        }
        var events: [Event] = []
        events.reserveCapacity(bytes.count / 5)
        var shift: Int64 = 0
        var offset = 0
        while offset < bytes.count {
            let x = bytes[offset]
            let y = bytes[offset + 1]
            let flags = bytes[offset + 2]
            if y == overflowMarker {
                shift += overflowIncrement
                offset += 5
                continue
            }
            guard Int(x) < sensorSize, Int(y) < sensorSize else {
                throw DataError(
                    .badEvent, path: path, offset: offset,
                    "event at (x \(x), y \(y)) is outside the \(sensorSize)x\(sensorSize) sensor")
            }
            let time = Int64(flags & 0x7F) << 16 | Int64(bytes[offset + 3]) << 8 | Int64(bytes[offset + 4])
            let event = Event(x: UInt16(x), y: UInt16(y), polarity: flags >> 7, timestamp: time + shift)
            if !firstSaccadeOnly || event.timestamp < saccadeLength { events.append(event) }
            offset += 5
        }
        guard !events.isEmpty else {
            throw DataError(
                .empty, path: path,
                firstSaccadeOnly ? "the first saccade (before 100 ms) holds no events" : "the recording holds no events"
            )
        }
        return EventRecording(width: sensorSize, height: sensorSize, events: events)
    }

    /// Reads and decodes the N-MNIST file at `url`; throws `DataError` as `decode` does, or when
    /// the file cannot be read.
    public static func read(_ url: URL, firstSaccadeOnly: Bool = false) throws -> EventRecording {
        try decode(try FileIO.read(url), path: url.path, firstSaccadeOnly: firstSaccadeOnly)
    }

    /// The bytes of `events` in the N-MNIST format; `path` names the destination in errors.
    ///
    /// Events must lie on the 34x34 sensor, have polarity 0 or 1 and timestamps in
    /// `0..<2^23` microseconds (no overflow markers are written); another event throws `DataError`.
    public static func encode(_ events: [Event], path: String = "<memory>") throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(events.count * 5)
        for (i, event) in events.enumerated() {
            guard Int(event.x) < sensorSize, Int(event.y) < sensorSize, event.polarity <= 1,
                event.timestamp >= 0, event.timestamp < 1 << 23
            else {
                throw DataError(
                    .badParameter, path: path, offset: 5 * i,
                    "event \(i) \(event) does not fit N-MNIST (34x34, polarity 0 or 1, timestamp below 2^23 us)")
            }
            let time = UInt32(event.timestamp)
            out.append(UInt8(event.x))
            out.append(UInt8(event.y))
            out.append(event.polarity << 7 | UInt8(time >> 16))
            out.append(UInt8(truncatingIfNeeded: time >> 8))
            out.append(UInt8(truncatingIfNeeded: time))
        }
        return out
    }

    /// Writes `events` to an N-MNIST file at `url` (atomically); throws `DataError` as `encode`
    /// does, or `FileWriteError` when the file cannot be written.
    public static func write(_ events: [Event], to url: URL) throws {
        try AtomicFile.write(Data(try encode(events, path: url.path)), to: url)
    }
}
