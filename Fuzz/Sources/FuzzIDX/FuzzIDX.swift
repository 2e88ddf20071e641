import FuzzSupport
import STBP

/// The IDX reader on the input as a file's bytes: gzip-compressed when it starts with 0x1F 0x8B,
/// plain otherwise. A `DataError` is the expected outcome for bad input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    expectingOnly(DataError.self, from: "IDXArray(fileBytes:path:)") {
        let array = try IDXArray(fileBytes: bytes, path: "fuzz-input")
        check(array.dimensions.reduce(1, *) == array.bytes.count, "IDX dimensions \(array.dimensions) do not match")
    }
    return 0
}
