/// TFRecord framing, the container of TensorBoard event files: a file is records one after
/// another, each
///
///     uint64  length           little-endian, the number of data bytes
///     uint32  masked CRC-32C of the 8 length bytes, little-endian
///     byte    data[length]     here a serialized Event message
///     uint32  masked CRC-32C of the data, little-endian
///
/// with the masked checksum of `CRC32C.masked`. Nothing comes before the first record or after
/// the last, so appending records to a file keeps it valid.
enum TFRecord {
    /// One record holding `data`: 16 bytes of framing around it.
    static func frame(_ data: [UInt8]) -> [UInt8] {
        var record: [UInt8] = []
        record.reserveCapacity(data.count + 16)
        let length = littleEndian(UInt64(data.count))
        record += length
        record += littleEndian(CRC32C.masked(length))
        record += data
        record += littleEndian(CRC32C.masked(data))
        return record
    }

    /// The data of each record of `bytes`, in order, up to the first record that is cut short or
    /// whose checksums do not match (a file that a killed writer left with a partial record).
    static func records(in bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var records: [ArraySlice<UInt8>] = []
        var position = 0
        while bytes.count - position >= 12 {
            let header = bytes[position..<position + 8]
            guard readUInt32(bytes, at: position + 8) == CRC32C.masked(header) else { break }
            let length = header.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let start = position + 12
            guard length <= UInt64(bytes.count - start), bytes.count - start - Int(length) >= 4 else { break }
            let data = bytes[start..<start + Int(length)]
            guard readUInt32(bytes, at: start + Int(length)) == CRC32C.masked(data) else { break }
            records.append(data)
            position = start + Int(length) + 4
        }
        return records
    }

    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<T.bitWidth / 8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    static func readUInt32(_ bytes: [UInt8], at position: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[position + $1]) << ($1 * 8) }
    }
}
