import ArgumentParser
import STBP

/// The LIF neuron and network-building options shared by train, evaluate and grad; each is
/// nil when not given, so that `train --resume` can tell a given flag from a default.
struct NeuronOptions: ParsableArguments {
    @Option(help: "Membrane decay k1 of every LIF layer, in [0, 1] (default: 0.2).")
    var decay: Float?

    @Option(help: "Firing threshold Vth (default: 0.5).")
    var threshold: Float?

    @Option(help: "Surrogate derivative: rectangular, triangular, sigmoid, gaussian or arctan (default: rectangular).")
    var surrogate: String?

    @Option(help: "Surrogate width a, above 0; the rectangle is 1/a high and a wide (default: 1).")
    var surrogateWidth: Float?

    @Flag(inversion: .prefixedNo, help: "Detach the reset path from the gradient (default: off).")
    var detachReset: Bool?

    @Option(help: "Neurons per class of a Voting layer written without a number (default: 10).")
    var votes: Int?

    @Option(help: "Decay k of NeuNorm layers written without a number, in [0, 1) (default: 0.9).")
    var neunormDecay: Float?

    @Option(help: "Dropout masks: perStep (new mask each step) or shared (one mask for all steps) (default: perStep).")
    var dropoutMasks: String?

    @Option(help: "Weight initialisation: default (PyTorch's uniform ±1/sqrt(fan-in)) or orthogonal.")
    var weightInit: String?

    @Option(help: "Gain of orthogonal initialisation, above 0 (default: 1).")
    var initGain: Float?

    /// Whether any of these flags was given.
    var isGiven: Bool {
        [
            decay as Any?, threshold, surrogate, surrogateWidth, detachReset, votes, neunormDecay, dropoutMasks,
            weightInit, initGain,
        ].contains { $0 != nil }
    }

    /// Each network setting's flag ("neuron.decay" -> "--decay"), for messages.
    static let flagNames = [
        "neuron.decay": "--decay", "neuron.threshold": "--threshold", "neuron.surrogate.width": "--surrogate-width",
        "votes": "--votes", "neuNormDecay": "--neunorm-decay", "initialization.gain": "--init-gain",
    ]

    func validate() throws {
        try ArgumentCheck.choice(
            "--surrogate", surrogate?.lowercased(),
            SurrogateCatalog.names + ["rectangle", "triangle", "polynomial", "atan"])
        try ArgumentCheck.choice("--dropout-masks", dropoutMasks, DropoutMasks.allCases.map(\.rawValue))
        try ArgumentCheck.choice("--weight-init", weightInit, ["default", "orthogonal"])
        try networkOptions(classes: 1).check(names: Self.flagNames)
    }

    /// The options the flags ask for (defaults where not given).
    func networkOptions(classes: Int) throws -> NetworkOptions {
        let width = surrogateWidth ?? 1
        guard let surrogate = SurrogateCatalog.surrogate(named: surrogate ?? "rectangular", width: width) else {
            throw ValidationError(
                "--surrogate \"\(self.surrogate ?? "")\" is unknown; expected \(SurrogateCatalog.names.joined(separator: ", "))."
            )
        }
        guard let masks = DropoutMasks(rawValue: dropoutMasks ?? DropoutMasks.perStep.rawValue) else {
            throw ValidationError("--dropout-masks \"\(dropoutMasks ?? "")\" is unknown; expected perStep or shared.")
        }
        let initialization: WeightInitialization
        switch weightInit ?? "default" {
        case "default": initialization = .pytorchDefault
        case "orthogonal": initialization = .orthogonal(gain: initGain ?? 1)
        default:
            throw ValidationError("--weight-init \"\(weightInit ?? "")\" is unknown; expected default or orthogonal.")
        }
        return NetworkOptions(
            neuron: LIF(
                decay: decay ?? 0.2, threshold: threshold ?? 0.5, anySurrogate: surrogate,
                detachReset: detachReset ?? false),
            classes: classes, votes: votes ?? 10, neuNormDecay: neunormDecay ?? 0.9, dropoutMasks: masks,
            initialization: initialization)
    }
}

extension DatasetKind: ExpressibleByArgument {}
extension Encoding: ExpressibleByArgument {}
extension LoopOrder: ExpressibleByArgument {}
extension OptimizerConfiguration.Kind: ExpressibleByArgument {}
extension Loss: ExpressibleByArgument {
    public init?(argument: String) { self.init(named: argument) }
    public static var allValueStrings: [String] { Loss.builtIn.map(\.name) }
}
