import FuzzSupport
import STBP

/// The file each run writes the input to: the checkpoint loader only takes a path.
let file = TemporaryInput(label: "checkpoint", extension: "safetensors")

/// The checkpoint loader on the input as a file, then, for a checkpoint whose spec network is
/// small enough to build here (at most 4 MB of parameters), the trainer resuming it: every
/// field checked against the network it continues. A `SafeTensorsError` (the file is not valid
/// safetensors), a `CheckpointError` (it is, but not a usable checkpoint) or a
/// `WeightLoadingError` (a parameter does not fit) is the expected outcome for bad input.
/// Keeps no freed tensor memory between inputs (see FuzzNetworkSpec).
let noCache: Void = MemoryCache.release()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Foundation's Data(contentsOf:) leaks a 4 KB buffer on Linux for every empty file (its path
    // for files that report size 0), which LeakSanitizer would report here; FuzzSafeTensors reads
    // empty input through the same decoder.
    _ = noCache
    guard size > 0 else { return 0 }
    file.write(data, size)
    expectingOnly(
        [SafeTensorsError.self, CheckpointError.self, WeightLoadingError.self],
        from: "Checkpoint(contentsOf:), Trainer(resuming:)"
    ) {
        let checkpoint = try Checkpoint(contentsOf: file.url)
        for (name, tensor) in checkpoint.parameters.merging(checkpoint.optimizerState, uniquingKeysWith: { a, _ in a })
        {
            check(tensor.shape.reduce(1, *) == tensor.count, "tensor \(name) does not fill its shape")
        }
        let configuration = checkpoint.configuration
        guard let spec = configuration.spec.flatMap({ try? NetworkSpec($0) }),
            let plan = try? NetworkPlan(spec, inputShape: configuration.inputShape, options: configuration.network),
            plan.parameterBytes <= 4 << 20
        else { return }
        let trainer = try Trainer(resuming: checkpoint, path: file.url.path)
        check(trainer.network.parameterTensors == checkpoint.parameters, "the resumed parameters differ")
        check(trainer.progress == checkpoint.progress, "the resumed progress differs")
    }
    return 0
}
