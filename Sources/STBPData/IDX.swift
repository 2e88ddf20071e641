import Foundation

/// An array of unsigned bytes read from an IDX file (the MNIST and Fashion-MNIST format).
///
/// An IDX file is: two zero bytes, a type byte (0x08 for unsigned bytes, the only type read
/// here), the number of dimensions, each dimension as a big-endian UInt32, then the data in
/// row-major order. MNIST images have the magic 0x00000803 (dimensions [N, 28, 28]), labels
/// 0x00000801 (dimensions [N]). Files may be gzip-compressed.
public struct IDXArray: Sendable, Equatable {
    /// The extent of each dimension, outermost first.
    public var dimensions: [Int]
    /// The values in row-major order; `bytes.count` is the product of `dimensions`.
    public var bytes: [UInt8]

    /// An array with the given dimensions and values.
    public init(dimensions: [Int], bytes: [UInt8]) {
        precondition(
            dimensions.reduce(1, *) == bytes.count, "IDX dimensions \(dimensions) do not hold \(bytes.count) bytes.")
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// Reads an IDX file, plain or gzip-compressed (detected by its first two bytes).
    public init(contentsOf url: URL) throws {
        try self.init(fileBytes: try FileIO.read(url), path: url.path)
    }

    /// Decodes IDX bytes (plain or gzip); `path` names the source in errors.
    ///
    /// Checks the magic number, the type, the dimensions and that the data size matches them;
    /// for a compressed file, offsets in errors count bytes of the decompressed data. A
    /// compressed file is inflated no further than the size its header declares (plus 4 KiB),
    /// so a small file that would inflate hugely is rejected early, naming the file.
    public init(fileBytes: [UInt8], path: String) throws {
        var bytes = fileBytes
        var source = path
        if Gzip.isCompressed(fileBytes) {
            let decompressed = "\(path) (decompressed)"
            bytes = try Gzip.decompress(fileBytes, path: path, maximumSize: IDXArray.gzipMaximumSize) { prefix in
                try IDXArray.decompressedSizeLimit(prefix, source: decompressed)
            }
            source = decompressed
        }
        guard bytes.count >= 4 else {
            throw DataError(
                .truncated, path: source, offset: 0, "expected a 4-byte IDX magic number, found \(bytes.count) bytes")
        }
        let rank = try IDXArray.checkMagic(bytes, source: source)
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw DataError(
                .truncated, path: source, offset: bytes.count,
                "expected \(rank) dimensions (\(headerSize) header bytes), the file ends after \(bytes.count) bytes")
        }
        var dimensions: [Int] = []
        var count = 1
        for axis in 0..<rank {
            let extent = Int(bytes.bigEndianUInt32(at: 4 + 4 * axis))
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= bytes.count else {
                throw DataError(
                    .badSize, path: source, offset: 4 + 4 * axis,
                    "dimension \(axis) = \(extent) makes the data larger than the file (\(bytes.count) bytes)")
            }
            count = product
            dimensions.append(extent)
        }
        let available = bytes.count - headerSize
        guard available == count else {
            throw DataError(
                available < count ? .truncated : .badSize, path: source, offset: headerSize,
                "dimensions \(dimensions) need \(count) data bytes, found \(available)")
        }
        bytes.removeFirst(headerSize)
        self.init(dimensions: dimensions, bytes: bytes)
    }

    /// Decompressed bytes allowed past the size a gzip-compressed file's IDX header declares
    /// before decompression stops (a little extra is reported by the exact size check instead).
    static let gzipMargin = 4096
    /// The largest decompressed IDX file read (4 GiB).
    static let gzipMaximumSize = 1 << 32

    /// Checks the first four bytes (two zero bytes, the type 0x08, a rank of at least 1) and
    /// returns the rank; the caller has checked that four bytes are present.
    static func checkMagic(_ bytes: [UInt8], source: String) throws -> Int {
        guard bytes[0] == 0, bytes[1] == 0 else {
            let found = String(format: "0x%08X", bytes.bigEndianUInt32(at: 0))
            throw DataError(
                .badHeader, path: source, offset: 0, "expected an IDX magic number 0x000008NN, found \(found)")
        }
        guard bytes[2] == 0x08 else {
            throw DataError(
                .unsupported, path: source, offset: 2,
                "expected the IDX type 0x08 (unsigned byte), found 0x\(String(bytes[2], radix: 16, uppercase: true))")
        }
        let rank = Int(bytes[3])
        guard rank >= 1 else {
            throw DataError(.badHeader, path: source, offset: 3, "expected at least one dimension, found 0")
        }
        return rank
    }

    /// The most bytes a decompressed IDX file starting with `prefix` may take: its header and the
    /// data its dimensions declare, plus `gzipMargin`; nil until `prefix` holds the whole header.
    /// Throws the reader's error for a bad magic number, type or rank, and for dimensions that
    /// declare more than `gzipMaximumSize` bytes.
    static func decompressedSizeLimit(_ prefix: [UInt8], source: String) throws -> Gzip.SizeLimit? {
        guard prefix.count >= 4 else { return nil }
        let rank = try checkMagic(prefix, source: source)
        let headerSize = 4 + 4 * rank
        guard prefix.count >= headerSize else { return nil }
        var dimensions: [Int] = []
        var count = 1
        for axis in 0..<rank {
            let extent = Int(prefix.bigEndianUInt32(at: 4 + 4 * axis))
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= gzipMaximumSize - headerSize else {
                throw DataError(
                    .badSize, path: source, offset: 4 + 4 * axis,
                    "dimension \(axis) = \(extent) makes the data larger than \(gzipMaximumSize) bytes, "
                        + "the largest decompressed IDX file read")
            }
            count = product
            dimensions.append(extent)
        }
        return Gzip.SizeLimit(
            bytes: headerSize + count + gzipMargin,
            reason: "more than its IDX header declares (dimensions \(dimensions): "
                + "\(headerSize) header and \(count) data bytes, with a margin of \(gzipMargin))")
    }

    /// The IDX bytes of this array (uncompressed; pass them to `Gzip.compress` for a .gz file).
    public func encoded() -> [UInt8] {
        precondition(
            !dimensions.isEmpty && dimensions.count < 256 && dimensions.allSatisfy { $0 >= 0 && $0 <= Int(UInt32.max) },
            "IDX holds 1 to 255 dimensions below 2^32, got \(dimensions).")
        var out: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for extent in dimensions { out.appendBigEndian(UInt32(extent)) }
        out.append(contentsOf: bytes)
        return out
    }
}
