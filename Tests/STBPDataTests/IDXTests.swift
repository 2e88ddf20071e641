import Foundation
import STBPData
import Testing

@Suite struct IDXTests {
    let array = IDXArray(dimensions: [2, 3], bytes: [1, 2, 3, 4, 5, 6])

    @Test func anEncodedArrayDecodesPlainOrGzipped() throws {
        let bytes = array.encoded()
        #expect(bytes.prefix(4) == [0, 0, 8, 2])
        #expect(try IDXArray(fileBytes: bytes, path: "a") == array)
        #expect(try IDXArray(fileBytes: Gzip.compress(bytes), path: "a.gz") == array)
    }

    @Test func wrongMagicNumbersAndTypesAreRejectedAtByteZeroOrTwo() {
        var bytes = array.encoded()
        bytes[0] = 1
        let magic = dataError { try IDXArray(fileBytes: bytes, path: "m") }
        #expect(magic?.kind == .badHeader && magic?.offset == 0)
        #expect(magic?.description.contains("0x01000802") == true)
        bytes[0] = 0
        bytes[2] = 0x0D
        let type = dataError { try IDXArray(fileBytes: bytes, path: "m") }
        #expect(type?.kind == .unsupported && type?.offset == 2)
    }

    @Test func sizesThatDoNotMatchTheDimensionsAreRejected() {
        let bytes = array.encoded()
        let short = dataError { try IDXArray(fileBytes: Array(bytes.dropLast()), path: "s") }
        #expect(short?.kind == .truncated && short?.offset == 12)
        #expect(short?.description.contains("need 6 data bytes, found 5") == true)
        #expect(dataError { try IDXArray(fileBytes: bytes + [0], path: "l") }?.kind == .badSize)
        #expect(dataError { try IDXArray(fileBytes: Array(bytes.prefix(7)), path: "h") }?.kind == .truncated)
        #expect(dataError { try IDXArray(fileBytes: [0, 0, 8, 0], path: "z") }?.kind == .badHeader)
        let huge: [UInt8] = [0, 0, 8, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(dataError { try IDXArray(fileBytes: huge, path: "huge") }?.kind == .badSize)
    }

    @Test func aMissingFileThrowsNamingIt() {
        let error = dataError { try IDXArray(contentsOf: URL(fileURLWithPath: "/no/such/file-idx3-ubyte")) }
        #expect(error?.kind == .unreadable && error?.path == "/no/such/file-idx3-ubyte")
    }
}
