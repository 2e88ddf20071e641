import Foundation
import FuzzSupport
import STBP

/// The safetensors reader on the input as a file's bytes; what it accepts must survive a
/// write and a second read unchanged (compared as written bytes, so NaN payloads compare
/// equal). A `SafeTensorsError` is the expected outcome for bad input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Data(bytes: data, count: size)
    expectingOnly(SafeTensorsError.self, from: "SafeTensors(decoding:path:)") {
        let file = try SafeTensors(decoding: input, path: "fuzz-input.safetensors")
        for (name, entry) in file.entries {
            let count: Int
            switch entry {
            case .float32(let tensor): count = tensor.count
            case .int64(_, let values): count = values.count
            case .int32(_, let values): count = values.count
            case .uint8(_, let values): count = values.count
            }
            check(entry.shape.reduce(1, *) == count, "tensor \(name) holds \(count) values for \(entry.shape)")
        }
        let written = file.encoded()
        let reread: SafeTensors
        do {
            reread = try SafeTensors(decoding: written, path: "fuzz-rewritten.safetensors")
        } catch {
            fatalError("the reader rejects what the writer wrote from an accepted file: \(error)")
        }
        check(reread.encoded() == written, "a write-read-write round trip changed the file")
        check(reread.metadata == file.metadata, "the metadata changed in a round trip")
    }
    return 0
}
