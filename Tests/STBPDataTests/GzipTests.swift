import STBPData
import Testing

@Suite struct GzipTests {
    let text = Array("spiking networks, spiking networks, spiking networks".utf8)

    @Test func compressedBytesDecompressToTheOriginal() throws {
        let packed = Gzip.compress(text)
        #expect(Gzip.isCompressed(packed))
        #expect(!Gzip.isCompressed(text))
        #expect(try Gzip.decompress(packed, path: "x.gz") == text)
        #expect(try Gzip.decompress(Gzip.compress([]), path: "empty.gz") == [])
    }

    @Test func largeOutputsGrowTheBuffer() throws {
        let big = [UInt8](repeating: 7, count: 3_000_000)
        #expect(try Gzip.decompress(Gzip.compress(big), path: "big.gz") == big)
    }

    @Test func concatenatedMembersAreJoined() throws {
        let joined = Gzip.compress(Array("ab".utf8)) + Gzip.compress(Array("cd".utf8))
        #expect(try Gzip.decompress(joined, path: "two.gz") == Array("abcd".utf8))
    }

    @Test func aTruncatedStreamThrowsNamingTheFile() {
        let packed = Gzip.compress(text)
        let error = dataError { try Gzip.decompress(Array(packed.prefix(packed.count - 6)), path: "cut.gz") }
        #expect(error?.kind == .truncated)
        #expect(error?.path == "cut.gz")
    }

    @Test func corruptDataAndTrailingGarbageThrow() {
        var packed = Gzip.compress(text)
        packed[3] = 0xFF  // reserved flag bits
        #expect(dataError { try Gzip.decompress(packed, path: "bad.gz") } != nil)
        let trailing = Gzip.compress(text) + [1, 2, 3]
        #expect(dataError { try Gzip.decompress(trailing, path: "tail.gz") }?.kind == .badHeader)
    }

    @Test func outputBeyondTheLimitIsRejected() {
        let packed = Gzip.compress([UInt8](repeating: 0, count: 1 << 20))
        #expect(dataError { try Gzip.decompress(packed, path: "bomb.gz", maximumSize: 1 << 16) }?.kind == .badSize)
    }
}
