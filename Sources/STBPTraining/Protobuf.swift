/// The few pieces of the Protocol Buffers wire format that TensorBoard's Event messages need,
/// written by hand: swift-protobuf is a heavy dependency (a runtime library and a code generator)
/// for the handful of fields an event file uses (`TensorBoardEvent`).
///
/// A message is its fields one after another, each a key then a value. The key is the varint
/// `field << 3 | wire type`; the wire types used here are
///
///     0  varint            int64 (two's complement, so a negative one takes 10 bytes)
///     1  64-bit            double, little-endian
///     2  length-delimited  varint byte count, then the bytes: string (UTF-8), nested message,
///                          packed repeated doubles (8 bytes each)
///     5  32-bit            float, little-endian
///
/// A varint is 7 bits per byte, least significant group first, the high bit set on every byte
/// but the last (300 = AC 02). Which fields to leave out is the message's business: proto3
/// leaves out a field that holds its default (0, empty) unless it is in a `oneof`.
struct ProtobufEncoder {
    /// The wire types.
    enum WireType: UInt64 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    /// The message so far.
    private(set) var bytes: [UInt8] = []

    /// Appends `value` as a varint.
    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// Appends the key of `field` with `wireType`.
    mutating func key(_ field: Int, _ wireType: WireType) {
        varint(UInt64(field) << 3 | wireType.rawValue)
    }

    /// An int64 field.
    mutating func int64(_ field: Int, _ value: Int64) {
        key(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    /// A double field.
    mutating func double(_ field: Int, _ value: Double) {
        key(field, .fixed64)
        bytes += TFRecord.littleEndian(value.bitPattern)
    }

    /// A float field.
    mutating func float(_ field: Int, _ value: Float) {
        key(field, .fixed32)
        bytes += TFRecord.littleEndian(value.bitPattern)
    }

    /// A string field.
    mutating func string(_ field: Int, _ value: String) {
        lengthDelimited(field, Array(value.utf8))
    }

    /// A nested message field.
    mutating func message(_ field: Int, _ encode: (inout ProtobufEncoder) -> Void) {
        var nested = ProtobufEncoder()
        encode(&nested)
        lengthDelimited(field, nested.bytes)
    }

    /// A packed repeated double field.
    mutating func packedDoubles(_ field: Int, _ values: [Double]) {
        key(field, .lengthDelimited)
        varint(UInt64(values.count * 8))
        for value in values { bytes += TFRecord.littleEndian(value.bitPattern) }
    }

    mutating func lengthDelimited(_ field: Int, _ value: [UInt8]) {
        key(field, .lengthDelimited)
        varint(UInt64(value.count))
        bytes += value
    }
}

/// Reads a message's fields back (the encoder's wire types), to find what an event file holds.
struct ProtobufFields: Sequence, IteratorProtocol {
    /// A field's value: the varint, the 8 or 4 bytes as an integer, or the bytes of a
    /// length-delimited value.
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case bytes(ArraySlice<UInt8>)
    }

    private let bytes: ArraySlice<UInt8>
    private var position: Int
    /// Whether the message ended in the middle of a field or held an unknown wire type.
    private(set) var isMalformed = false

    /// The fields of the message `bytes`.
    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    /// The next field number and value, or nil at the end (or at a malformed field).
    mutating func next() -> (field: Int, value: Value)? {
        guard position < bytes.endIndex, !isMalformed, let key = readVarint() else { return nil }
        let field = Int(truncatingIfNeeded: key >> 3)
        let value: Value?
        switch key & 7 {
        case 0: value = readVarint().map { .varint($0) }
        case 1: value = readFixed(8).map { .fixed64($0) }
        case 5: value = readFixed(4).map { .fixed32(UInt32(truncatingIfNeeded: $0)) }
        case 2:
            if let length = readVarint(), length <= UInt64(bytes.endIndex - position) {
                value = .bytes(bytes[position..<position + Int(length)])
                position += Int(length)
            } else {
                value = nil
            }
        default: value = nil
        }
        guard let value else {
            isMalformed = true
            return nil
        }
        return (field, value)
    }

    private mutating func readVarint() -> UInt64? {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 7) {
            guard position < bytes.endIndex else { return nil }
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
        }
        return nil
    }

    private mutating func readFixed(_ count: Int) -> UInt64? {
        guard bytes.endIndex - position >= count else { return nil }
        defer { position += count }
        return (0..<count).reduce(UInt64(0)) { $0 | UInt64(bytes[position + $1]) << ($1 * 8) }
    }
}
