import ArgumentParser
import Foundation
import STBP

struct GradCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grad",
        abstract: "Export the loss, readout and every parameter gradient of one batch, for comparison with PyTorch.",
        discussion: """
            IN holds "input" (float32, [N, C, H, W] static, fed at every step, or [T, N, C, H, W] frames) and \
            "labels" (int64 or int32, [N]). W holds layers.<i>.weight/.bias in PyTorch shapes; without it the \
            seeded default initialisation is used. OUT receives "loss" [1], "output" [N, classes] and \
            "grad.layers.<i>.weight/.bias". No dropout.
            """)

    @Option(help: "The network spec.")
    var model: String

    @Option(help: "The input file (safetensors with input and labels).")
    var input: String

    @Option(help: "Parameters (safetensors with layers.<i>.weight/bias).")
    var weights: String?

    @OptionGroup var neuron: NeuronOptions

    @Option(help: "Time steps T for a static input (default 8); event frames bring their own.")
    var timeSteps: Int?

    @Option(help: "Classes scored by a Voting layer.")
    var classes: Int = 10

    @Option(help: "Loss: mse or cross-entropy.")
    var loss: Loss = .meanSquaredError

    @Option(help: "Evaluation order: time (for each t, each layer: the paper's) or layer (T folded into the batch).")
    var loopOrder: LoopOrder = .layer

    @Option(help: "Seed of the default initialisation.")
    var seed: UInt64 = 0

    @Option(help: "The output file.")
    var output: String

    func validate() throws {
        try ArgumentCheck.count("--time-steps", timeSteps)
        try ArgumentCheck.count("--classes", classes)
    }

    func run() throws {
        let inputFile = try SafeTensors(contentsOf: URL(fileURLWithPath: input))
        let (tensor, labels) = try GradientExport.batch(from: inputFile, path: input)
        let sampleShape = Array(tensor.shape.suffix(3))
        let network = try Network(
            model, inputShape: sampleShape, options: try neuron.networkOptions(classes: classes), seed: seed)
        if let weights {
            try network.loadParameters(from: try SafeTensors(contentsOf: URL(fileURLWithPath: weights)), path: weights)
        }
        if let timeSteps, tensor.rank == 5, tensor.shape[0] != timeSteps {
            throw ValidationError("\(input): \"input\" has \(tensor.shape[0]) frames but --time-steps is \(timeSteps).")
        }
        try MemoryEstimate(
            network, timeSteps: tensor.rank == 5 ? tensor.shape[0] : timeSteps ?? 8,
            batchSize: tensor.shape[tensor.rank - 4], training: true
        ).check(limit: MemorySize.physical, what: "The batch of \(input)")
        let file = try GradientExport.run(
            network, input: tensor, labels: labels, loss: loss,
            options: ForwardOptions(timeSteps: timeSteps ?? 8, order: loopOrder))
        try file.write(to: URL(fileURLWithPath: output))
        print(
            String(
                format: "loss %.8g written with %d gradients to %@", file.float32("loss")!.scalars[0],
                network.namedParameters.count, output))
    }
}
