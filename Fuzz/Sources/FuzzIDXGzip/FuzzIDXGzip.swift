import FuzzSupport
import STBP

/// The IDX reader on the input gzip-compressed: the fuzzer mutates the decompressed IDX header
/// and data, so the reader's gzip path (and its size bound taken from the header) sees every
/// header the plain path does. A `DataError` is the expected outcome for bad input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let compressed = Gzip.compress(inputBytes(data, size), level: 1)
    expectingOnly(DataError.self, from: "IDXArray(fileBytes:path:) on gzip") {
        let array = try IDXArray(fileBytes: compressed, path: "fuzz-input.gz")
        check(array.dimensions.reduce(1, *) == array.bytes.count, "IDX dimensions \(array.dimensions) do not match")
        check(array.bytes.count + 4 + 4 * array.dimensions.count == size, "IDX data size differs from the input")
    }
    return 0
}
