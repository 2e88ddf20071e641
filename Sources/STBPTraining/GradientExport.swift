import STBPNetwork
import STBPTensor

/// One batch's loss, readout and parameter gradients as a safetensors file, for `stbp grad`.
public enum GradientExport {
    /// Reads "input" (float32 [N, C, H, W] or [T, N, C, H, W]) and "labels" (int64 or int32 [N]).
    public static func batch(from file: SafeTensors, path: String) throws -> (input: Tensor, labels: [Int]) {
        guard let entry = file.entries["input"] else {
            throw SafeTensorsError(
                path: path, tensor: "input", "expected float32 [N, C, H, W] or [T, N, C, H, W], found no such tensor")
        }
        guard case .float32(let input) = entry else {
            throw SafeTensorsError(path: path, tensor: "input", "expected dtype F32, found \(entry.dtype)")
        }
        guard input.rank == 4 || input.rank == 5, input.shape.allSatisfy({ $0 >= 1 }) else {
            throw SafeTensorsError(
                path: path, tensor: "input",
                "expected shape [N, C, H, W] or [T, N, C, H, W] of positive extents, found \(input.shape)")
        }
        let batch = input.rank == 4 ? input.shape[0] : input.shape[1]
        let labels: [Int]
        switch file.entries["labels"] {
        case .int64(let shape, let values)? where shape == [batch]: labels = values.map { Int($0) }
        case .int32(let shape, let values)? where shape == [batch]: labels = values.map { Int($0) }
        case let other?:
            throw SafeTensorsError(
                path: path, tensor: "labels", "expected int64 or int32 [\(batch)], found \(other.dtype) \(other.shape)")
        case nil:
            throw SafeTensorsError(
                path: path, tensor: "labels", "expected int64 or int32 [\(batch)], found no such tensor")
        }
        return (input, labels)
    }

    /// Runs one forward and backward pass and collects "loss" [1], "output" [N, classes] and
    /// "grad.layers.<i>.weight/.bias".
    public static func run(
        _ network: Network, input: Tensor, labels: [Int], loss: Loss, options: ForwardOptions
    ) throws
        -> SafeTensors
    {
        if let bad = labels.first(where: { $0 < 0 || $0 >= network.classes }) {
            throw SafeTensorsError(
                path: "labels", tensor: "labels", "expected values in 0..<\(network.classes), found \(bad)")
        }
        var generator = SeededGenerator(seed: 0)
        let result = network.lossAndGradients(
            input, labels: labels, loss: loss, options: options, generator: &generator)
        var entries: [String: SafeTensors.Entry] = [
            "loss": .float32(Tensor([result.loss])), "output": .float32(result.output.readout.value),
        ]
        for (name, gradient) in result.gradients { entries["grad.\(name)"] = .float32(gradient) }
        return SafeTensors(
            entries: entries, metadata: ["spec": network.spec?.text ?? "", "loop_order": options.order.rawValue])
    }
}
