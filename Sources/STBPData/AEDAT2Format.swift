import Foundation
import STBPTensor

/// The jAER AEDAT 2.0 format with DVS128 addresses, as used by DVS-CIFAR10 (CIFAR10-DVS).
///
/// A file starts with text header lines, each beginning with '#' and ending with a newline
/// (the first is usually `#!AER-DAT2.0`), followed by events as pairs of big-endian UInt32:
/// an address, then a timestamp in microseconds. A DVS128 address holds
/// `polarity = addr & 1`, `x = (addr >> 1) & 0x7F`, `y = (addr >> 8) & 0x7F`; other address
/// bits are ignored. Files that announce another version (`#!AER-DAT3.1`, `#!AER-DAT4.0`) are
/// rejected with an error that names them.
public enum AEDAT2Format {
    /// The DVS128 sensor width and height.
    public static let sensorSize = 128

    /// How a DVS128 address maps to (x, y, polarity).
    public enum Decoding: String, Sendable, Hashable {
        /// jAER's convention, as in PAPER.md: x = (addr >> 1) & 0x7F, y = (addr >> 8) & 0x7F,
        /// polarity = addr & 1.
        case jAER
        /// SpikingJelly's CIFAR10DVS view of the same address: the jAER (x, y, polarity) becomes
        /// (127 - y, 127 - x, 1 - polarity), a transposed and flipped image.
        case spikingJelly
    }

    /// Decodes an AEDAT 2.0 file; `path` names it in errors.
    ///
    /// Throws for a header line without an end, another AEDAT version, data that is not a whole
    /// number of 8-byte events, or a recording without events.
    public static func decode(_ bytes: [UInt8], path: String, decoding: Decoding = .jAER) throws -> EventRecording {
        let dataStart = try skipHeader(bytes, path: path)
        let dataCount = bytes.count - dataStart
        guard dataCount % 8 == 0 else {
            throw DataError(
                .badSize, path: path, offset: bytes.count - dataCount % 8,
                "expected 8-byte events (address, timestamp) after the header at byte \(dataStart), "
                    + "found \(dataCount) bytes (\(dataCount % 8) left over)")
        }
        guard dataCount > 0 else {
            throw DataError(.empty, path: path, offset: dataStart, "the recording holds no events")
        }
        var events: [Event] = []
        events.reserveCapacity(dataCount / 8)
        var offset = dataStart
        while offset < bytes.count {
            let address = bytes.bigEndianUInt32(at: offset)
            let time = Int64(bytes.bigEndianUInt32(at: offset + 4))
            var x = UInt16((address >> 1) & 0x7F)
            var y = UInt16((address >> 8) & 0x7F)
            var polarity = UInt8(address & 1)
            if decoding == .spikingJelly {
                (x, y, polarity) = (127 - y, 127 - x, 1 - polarity)
            }
            events.append(Event(x: x, y: y, polarity: polarity, timestamp: time))
            offset += 8
        }
        return EventRecording(width: sensorSize, height: sensorSize, events: events)
    }

    /// The offset of the first event: past every header line that starts with '#'.
    static func skipHeader(_ bytes: [UInt8], path: String) throws -> Int {
        var offset = 0
        let hash = UInt8(ascii: "#")
        while offset < bytes.count && bytes[offset] == hash {
            guard let end = bytes[offset...].firstIndex(of: UInt8(ascii: "\n")) else {
                throw DataError(
                    .truncated, path: path, offset: offset,
                    "expected the header line starting here to end with a newline, the file ends first")
            }
            let line = String(decoding: bytes[offset..<end], as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if line.hasPrefix("#!AER-DAT") {
                let version = String(line.dropFirst("#!AER-DAT".count))
                if version.hasPrefix("4") {
                    throw DataError(
                        .unsupported, path: path, offset: offset,
                        "AEDAT 4.0 is not supported yet (header \(line)); convert the file to AEDAT 2.0")
                }
                guard version == "2.0" else {
                    throw DataError(
                        .unsupported, path: path, offset: offset,
                        "expected an AEDAT 2.0 file (#!AER-DAT2.0), found \(line)")
                }
            }
            offset = end + 1
        }
        return offset
    }

    /// Reads and decodes the AEDAT 2.0 file at `url`; throws `DataError` as `decode` does, or when
    /// the file cannot be read.
    public static func read(_ url: URL, decoding: Decoding = .jAER) throws -> EventRecording {
        try decode(try FileIO.read(url), path: url.path, decoding: decoding)
    }

    /// The bytes of an AEDAT 2.0 file holding `events` (the inverse of `decode` with the same
    /// `decoding`); `path` names the destination in errors.
    ///
    /// Events must lie on the 128x128 sensor, have polarity 0 or 1 and timestamps in `0..<2^32`;
    /// another event throws `DataError`.
    public static func encode(
        _ events: [Event], decoding: Decoding = .jAER, path: String = "<memory>"
    ) throws -> [UInt8] {
        var out = Array(
            "#!AER-DAT2.0\r\n# This is a raw AE data file written by swift-stbp (DVS128 addresses)\r\n".utf8)
        out.reserveCapacity(out.count + events.count * 8)
        for (i, event) in events.enumerated() {
            guard Int(event.x) < sensorSize, Int(event.y) < sensorSize, event.polarity <= 1,
                event.timestamp >= 0, event.timestamp <= Int64(UInt32.max)
            else {
                throw DataError(
                    .badParameter, path: path, offset: out.count,
                    "event \(i) \(event) does not fit AEDAT 2.0 DVS128 (128x128, polarity 0 or 1, 32-bit timestamp)")
            }
            var (x, y, polarity) = (UInt32(event.x), UInt32(event.y), UInt32(event.polarity))
            if decoding == .spikingJelly {
                (x, y, polarity) = (127 - y, 127 - x, 1 - polarity)
            }
            out.appendBigEndian(y << 8 | x << 1 | polarity)
            out.appendBigEndian(UInt32(event.timestamp))
        }
        return out
    }

    /// Writes `events` to an AEDAT 2.0 file at `url` (atomically); throws `DataError` as `encode`
    /// does, or `FileWriteError` when the file cannot be written.
    public static func write(_ events: [Event], to url: URL, decoding: Decoding = .jAER) throws {
        try AtomicFile.write(Data(try encode(events, decoding: decoding, path: url.path)), to: url)
    }
}
