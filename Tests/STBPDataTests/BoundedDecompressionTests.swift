import Foundation
import STBPData
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A gzip-compressed IDX file is inflated no further than the size its header declares (plus
/// 4 KiB): a small file that would inflate hugely is rejected early, naming the file, without
/// allocating what it would inflate to.
@Suite struct BoundedDecompressionTests {
    /// One gzip member of 1 MiB of zeros (about 1 KB compressed).
    static let zeroMember = Gzip.compress([UInt8](repeating: 0, count: 1 << 20), level: 9)

    /// A gzip file starting with the IDX `header` followed by `mebibytes` MiB of zeros, as
    /// concatenated members (so it is cheap to build): about 1 KB per MiB it inflates to.
    static func bomb(header: [UInt8], mebibytes: Int) -> [UInt8] {
        var file = Gzip.compress(header, level: 9)
        file.reserveCapacity(file.count + mebibytes * zeroMember.count)
        for _ in 0..<mebibytes { file += zeroMember }
        return file
    }

    /// The peak resident set size so far, in bytes.
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        #if canImport(Glibc)
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return usage.ru_maxrss * 1024  // kilobytes on Linux
        #else
            getrusage(RUSAGE_SELF, &usage)
            return usage.ru_maxrss  // bytes on Darwin
        #endif
    }

    @Test func aSmallFileThatInflatesToAGibibyteIsRejectedEarlyNamingTheFile() throws {
        // The header declares two 28x28 images (1568 data bytes); the file (about 1 MB) inflates to 1 GiB.
        let header: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28]
        let file = Self.bomb(header: header, mebibytes: 1024)
        #expect(file.count < 1_200_000)
        let folder = try temporaryFolder("bomb")
        defer { remove(folder) }
        let url = folder.appendingPathComponent("bomb-images-idx3-ubyte.gz")
        try write(file, to: url)

        let peakBefore = Self.peakResidentBytes()
        let error = dataError { try IDXArray(contentsOf: url) }
        let growth = Self.peakResidentBytes() - peakBefore

        #expect(error?.kind == .badSize)
        #expect(error?.path == url.path)
        #expect(error?.description.contains(url.path) == true)
        #expect(error?.description.contains("more than its IDX header declares") == true)
        #expect(error?.description.contains("dimensions [2, 28, 28]") == true)
        // Inflation stopped within the first members, not after reading the whole file.
        #expect((error?.offset ?? .max) < 16 * 1024)
        // Without the bound the output alone would take 1 GiB; allow for other tests running meanwhile.
        #expect(growth < 256 << 20, "peak RSS grew by \(growth >> 20) MiB")
    }

    @Test func aHeaderDeclaringMoreThanFourGibibytesIsRejectedBeforeInflatingTheData() {
        // 2 x 65536 x 32768 bytes: 4 GiB, and the 16 header bytes.
        let header: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 1, 0, 0, 0, 0, 0x80, 0]
        let error = dataError { try IDXArray(fileBytes: Self.bomb(header: header, mebibytes: 64), path: "big.gz") }
        #expect(error?.kind == .badSize)
        #expect(error?.path == "big.gz (decompressed)")
        #expect(error?.offset == 12)
        #expect(error?.description.contains("the largest decompressed IDX file read") == true)
    }

    @Test func aBadMagicNumberIsRejectedBeforeInflatingTheData() {
        let header: [UInt8] = [0x50, 0x4B, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let error = dataError { try IDXArray(fileBytes: Self.bomb(header: header, mebibytes: 64), path: "zip.gz") }
        #expect(error?.kind == .badHeader)
        #expect(error?.offset == 0)
        #expect(error?.path == "zip.gz (decompressed)")
        #expect(error?.description.contains("0x504B0304") == true)
    }

    @Test func aFewBytesPastTheDeclaredSizeGetTheExactSizeError() {
        let plain = IDXArray(dimensions: [4], bytes: [1, 2, 3, 4]).encoded() + [UInt8](repeating: 9, count: 100)
        let error = dataError { try IDXArray(fileBytes: Gzip.compress(plain), path: "long.gz") }
        #expect(error?.kind == .badSize)
        #expect(error?.description.contains("dimensions [4] need 4 data bytes, found 104") == true)
    }

    @Test func filesOfTheDeclaredSizeStillRead() throws {
        // Several members, the header split across the first two, and data past one inflation chunk.
        let bytes = (0..<2_100_000).map { UInt8(truncatingIfNeeded: $0 / 7) }
        let array = IDXArray(dimensions: [3, 700, 1000], bytes: bytes)
        let plain = array.encoded()
        let file = Gzip.compress(Array(plain.prefix(6))) + Gzip.compress(Array(plain.dropFirst(6)))
        #expect(try IDXArray(fileBytes: file, path: "split.gz") == array)
        #expect(try IDXArray(fileBytes: Gzip.compress(plain, level: 1), path: "one.gz") == array)
    }
}
