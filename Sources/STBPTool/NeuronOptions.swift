import ArgumentParser
import STBP

/// The LIF neuron and network-building options shared by train, grad and summary.
struct NeuronOptions: ParsableArguments {
    @Option(help: "Membrane decay k1 of every LIF layer.")
    var decay: Float = 0.2

    @Option(help: "Firing threshold Vth.")
    var threshold: Float = 0.5

    @Option(help: "Surrogate derivative: rectangular, triangular, sigmoid, gaussian or arctan.")
    var surrogate: String = "rectangular"

    @Option(help: "Surrogate width a (rectangular: 1/a high, a wide).")
    var surrogateWidth: Float = 1

    @Flag(help: "Detach the reset path from the gradient.")
    var detachReset = false

    @Option(help: "Neurons per class of a Voting layer written without a number.")
    var votes: Int = 10

    @Option(help: "Decay k of NeuNorm layers written without a number.")
    var neunormDecay: Float = 0.9

    @Option(help: "Dropout masks: perStep (new mask each step) or shared (one mask for all steps).")
    var dropoutMasks: String = "perStep"

    @Option(help: "Weight initialisation: default (PyTorch's uniform ±1/sqrt(fan-in)) or orthogonal.")
    var weightInit: String = "default"

    @Option(help: "Gain of orthogonal initialisation.")
    var initGain: Float = 1

    func networkOptions(classes: Int) throws -> NetworkOptions {
        guard let surrogate = SurrogateCatalog.surrogate(named: surrogate, width: surrogateWidth) else {
            throw ValidationError(
                "--surrogate \"\(self.surrogate)\" is unknown; expected rectangular, triangular, sigmoid, gaussian or arctan."
            )
        }
        guard surrogateWidth > 0 else {
            throw ValidationError("--surrogate-width must be positive, got \(surrogateWidth).")
        }
        guard let masks = DropoutMasks(rawValue: dropoutMasks) else {
            throw ValidationError("--dropout-masks \"\(dropoutMasks)\" is unknown; expected perStep or shared.")
        }
        let initialization: WeightInitialization
        switch weightInit {
        case "default": initialization = .pytorchDefault
        case "orthogonal": initialization = .orthogonal(gain: initGain)
        default: throw ValidationError("--weight-init \"\(weightInit)\" is unknown; expected default or orthogonal.")
        }
        return NetworkOptions(
            neuron: LIF(decay: decay, threshold: threshold, anySurrogate: surrogate, detachReset: detachReset),
            classes: classes, votes: votes, neuNormDecay: neunormDecay, dropoutMasks: masks,
            initialization: initialization)
    }
}

extension DatasetKind: ExpressibleByArgument {}
extension Loss: ExpressibleByArgument {
    public init?(argument: String) { self.init(named: argument) }
    public static var allValueStrings: [String] { Loss.builtIn.map(\.name) }
}
extension Encoding: ExpressibleByArgument {}
extension LoopOrder: ExpressibleByArgument {}
extension OptimizerConfiguration.Kind: ExpressibleByArgument {}
