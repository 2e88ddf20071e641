import CZlib

/// Gzip compression and decompression of in-memory bytes through the system zlib.
///
/// Used for gzip-compressed IDX files (`train-images-idx3-ubyte.gz`) and by the synthetic
/// writers. Decompression is bounded: a stream that would inflate past `maximumSize` bytes is
/// rejected instead of exhausting memory.
public enum Gzip {
    /// Whether `bytes` start with the gzip magic number 0x1F 0x8B.
    public static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The decompressed bytes of a gzip stream (one or more concatenated members); `path` names
    /// the source in errors, which give the compressed byte offset of the problem.
    public static func decompress(_ bytes: [UInt8], path: String, maximumSize: Int = 1 << 32) throws -> [UInt8] {
        try decompress(bytes, path: path, maximumSize: maximumSize, limit: nil)
    }

    /// A bound on the decompressed size that a reader derives from the first decompressed bytes
    /// (for IDX, the size its header declares), with what it is for the error message.
    struct SizeLimit {
        /// The most decompressed bytes the stream may produce.
        var bytes: Int
        /// Why, as a phrase after "the gzip stream inflates to more than N bytes, ".
        var reason: String
    }

    /// `decompress(_:path:maximumSize:)` that also asks `limit` for a tighter bound: after each
    /// step it gets the output so far and returns nil while it needs more bytes, then the bound
    /// (or throws to reject the data). Once a bound is known, inflation never produces more than
    /// one byte past it, so a small stream that would inflate hugely costs little memory.
    static func decompress(
        _ bytes: [UInt8], path: String, maximumSize: Int, limit: (([UInt8]) throws -> SizeLimit?)?
    ) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError(.unreadable, path: path, "zlib could not start decompressing")
        }
        defer { inflateEnd(&stream) }
        // Deflate expands at most 1032 to 1; the output starts with room for a quarter of that.
        let expansionBound = bytes.count.multipliedReportingOverflow(by: 1032)
        let possibleSize = expansionBound.overflow ? maximumSize : min(expansionBound.partialValue, maximumSize)
        // Inflate into a fixed chunk and append each chunk: bounded memory growth, and bulk
        // copies (fast even in debug builds).
        var chunk = [UInt8](repeating: 0, count: min(1 << 20, max(1 << 12, possibleSize)))
        var output: [UInt8] = []
        output.reserveCapacity(min(bytes.count * 4, possibleSize))
        // The bound so far: `maximumSize`, then the reader's bound once it has one.
        var bound = SizeLimit(bytes: maximumSize, reason: "the limit for a gzip stream")
        var limitKnown = limit == nil
        var consumed = 0
        while true {
            var produced = 0
            let consumedBefore = consumed
            // At most one byte past the bound, so that exceeding it is seen without inflating more.
            let room = min(chunk.count, bound.bytes - output.count + 1)
            let status: Int32 = bytes.withUnsafeBufferPointer { input in
                chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress.map { $0 + consumed })
                    stream.avail_in = UInt32(clamping: input.count - consumed)
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(room)
                    let inBefore = stream.avail_in
                    let status = inflate(&stream, Z_NO_FLUSH)
                    consumed += Int(inBefore - stream.avail_in)
                    produced = room - Int(stream.avail_out)
                    return status
                }
            }
            guard produced <= bound.bytes - output.count else {
                throw DataError(
                    .badSize, path: path, offset: consumed,
                    "the gzip stream inflates to more than \(bound.bytes) bytes, \(bound.reason)")
            }
            chunk.withUnsafeBufferPointer { output.append(contentsOf: UnsafeBufferPointer(rebasing: $0[0..<produced])) }
            if !limitKnown, let limit, let readerBound = try limit(output) {
                limitKnown = true
                if readerBound.bytes < bound.bytes {
                    bound = readerBound
                    guard output.count <= bound.bytes else {
                        throw DataError(
                            .badSize, path: path, offset: consumed,
                            "the gzip stream inflates to more than \(bound.bytes) bytes, \(bound.reason)")
                    }
                    // Room for the whole output when the stream can produce it, instead of doubling.
                    output.reserveCapacity(min(bound.bytes, possibleSize))
                }
            }
            switch status {
            case Z_STREAM_END:
                // Skip zero padding after a member, then continue with the next member if any.
                while consumed < bytes.count && bytes[consumed] == 0 { consumed += 1 }
                if consumed == bytes.count { return output }
                guard bytes.count - consumed >= 2, bytes[consumed] == 0x1F, bytes[consumed + 1] == 0x8B else {
                    throw DataError(
                        .badHeader, path: path, offset: consumed,
                        "expected another gzip member (0x1F 0x8B) or the end of the file after a complete member")
                }
                guard inflateReset(&stream) == Z_OK else {
                    throw DataError(.unreadable, path: path, offset: consumed, "zlib could not restart")
                }
            case Z_OK:
                continue
            case Z_BUF_ERROR where consumed == bytes.count:
                throw DataError(
                    .truncated, path: path, offset: consumed,
                    "the gzip stream ends before its end marker (the file is truncated)")
            case Z_BUF_ERROR where produced == 0 && consumed == consumedBefore:
                throw DataError(.badHeader, path: path, offset: consumed, "zlib made no progress on the gzip data")
            case Z_BUF_ERROR:
                continue
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                throw DataError(.badHeader, path: path, offset: consumed, "corrupt gzip data (\(reason))")
            }
        }
    }

    /// `bytes` compressed as one gzip member at compression `level` (0 to 9).
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        let started = deflateInit2_(
            &stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        precondition(started == Z_OK, "zlib could not start compressing (status \(started)).")
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
        let status: Int32 = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        precondition(status == Z_STREAM_END, "zlib could not compress in one pass (status \(status)).")
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }
}
