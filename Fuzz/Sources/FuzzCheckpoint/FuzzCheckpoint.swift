import FuzzSupport
import STBP

/// The file each run writes the input to: the checkpoint loader only takes a path.
let file = TemporaryInput(label: "checkpoint", extension: "safetensors")

/// The checkpoint loader on the input as a file. A `SafeTensorsError` (the file is not valid
/// safetensors) or a `CheckpointError` (it is, but not a usable checkpoint) is the expected
/// outcome for bad input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Foundation's Data(contentsOf:) leaks a 4 KB buffer on Linux for every empty file (its path
    // for files that report size 0), which LeakSanitizer would report here; FuzzSafeTensors reads
    // empty input through the same decoder.
    guard size > 0 else { return 0 }
    file.write(data, size)
    expectingOnly(SafeTensorsError.self, CheckpointError.self, from: "Checkpoint(contentsOf:)") {
        let checkpoint = try Checkpoint(contentsOf: file.url)
        for (name, tensor) in checkpoint.parameters.merging(checkpoint.optimizerState, uniquingKeysWith: { a, _ in a })
        {
            check(tensor.shape.reduce(1, *) == tensor.count, "tensor \(name) does not fill its shape")
        }
    }
    return 0
}
