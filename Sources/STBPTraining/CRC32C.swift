/// CRC-32C, the Castagnoli checksum that TFRecord framing (`TFRecord`) puts after each length
/// and each record.
///
/// The reflected form of the polynomial 0x1EDC6F41 (0x82F63B78 bit-reversed), starting from
/// 0xFFFFFFFF and ending with an XOR of 0xFFFFFFFF, one table lookup per byte:
/// CRC-32C("123456789") = 0xE3069283. TFRecord stores the checksum *masked*,
/// `((crc >> 15) | (crc << 17)) &+ 0xA282EAD8` (rotated right by 15 bits, plus a constant), so
/// that a checksum of data that itself holds checksums is not trivially related to them.
enum CRC32C {
    /// The reflected Castagnoli polynomial.
    static let polynomial: UInt32 = 0x82F6_3B78

    /// The CRC of each byte value: 256 entries.
    static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
        return crc
    }

    /// The CRC-32C of `bytes`.
    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// The masked CRC-32C of `bytes`, as TFRecord stores it.
    static func masked(_ bytes: some Sequence<UInt8>) -> UInt32 { mask(checksum(bytes)) }

    /// `((crc >> 15) | (crc << 17)) &+ 0xA282EAD8`.
    static func mask(_ crc: UInt32) -> UInt32 { ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8 }
}
