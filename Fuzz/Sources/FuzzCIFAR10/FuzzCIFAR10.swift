import FuzzSupport
import STBP

/// The CIFAR-10 binary reader on the input as a file's bytes. A `DataError` is the expected
/// outcome for bad input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    expectingOnly(DataError.self, from: "CIFAR10.decode") {
        let (pixels, labels) = try CIFAR10.decode(bytes, path: "fuzz-input.bin")
        check(pixels.count == labels.count * (CIFAR10.recordSize - 1), "pixels do not match the labels")
        check(labels.allSatisfy { (0..<10).contains($0) }, "a label is outside 0..<10")
    }
    return 0
}
