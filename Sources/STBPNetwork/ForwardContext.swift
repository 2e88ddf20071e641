import STBPAutodiff
import STBPTensor

/// What a layer needs to know during one forward pass: the tape (nil when evaluating), whether
/// this is training (dropout on), the number of time steps, and its own random generator.
public struct ForwardContext {
    /// The tape that records this pass, or nil for evaluation without gradients.
    public let tape: Tape?
    /// Whether the pass trains (dropout active).
    public let isTraining: Bool
    /// T.
    public let timeSteps: Int
    /// The generator of the layer being run.
    public var generator: SeededGenerator

    /// A context whose layer generator is `generator`.
    public init(tape: Tape?, isTraining: Bool, timeSteps: Int, generator: SeededGenerator) {
        self.tape = tape
        self.isTraining = isTraining
        self.timeSteps = timeSteps
        self.generator = generator
    }

    /// The variable for a parameter: watched on the tape when recording, a constant otherwise.
    public func variable(_ parameter: Parameter) -> Variable {
        tape?.watch(parameter) ?? Variable(parameter.value)
    }
}

/// What a layer carries from one time step to the next in the paper's loop order.
public struct LayerState {
    /// The LIF neurons' membrane and spikes at the previous step.
    public var neuron: LIFNeuron.State?
    /// An auxiliary state (NeuNorm's average a[t-1]).
    public var auxiliary: Variable?
    /// A dropout mask shared by all steps.
    public var mask: Tensor?
    /// The current step t (0-based).
    public var step = 0

    /// The state before the first step.
    public init() {}
}

/// One layer of a spiking network, runnable over all T steps at once or one step at a time.
///
/// Both ways must give the same numbers: `forward` is the fast path (T folded into the batch,
/// neurons in one fused pass), `step` the paper's "for t: for layer" order built from per-step
/// primitives, which the tests hold it against.
public protocol Layer {
    /// The shape of one sample's output for one sample's input shape, or an error naming the
    /// layer and the shapes.
    func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int]
    /// The trainable parameters with their local names ("weight", "bias").
    var parameters: [(name: String, parameter: Parameter)] { get }
    /// Whether the output is spikes of LIF neurons.
    var firesSpikes: Bool { get }
    /// Multiply-accumulates per sample and time step for an input shape (conv and dense only).
    func multiplyAccumulates(for inputShape: [Int]) -> Int
    /// All T steps at once.
    func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries
    /// One step: input [N, ...] at step `state.step` -> output [N, ...].
    func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable
}

extension Layer {
    public var parameters: [(name: String, parameter: Parameter)] { [] }
    public var firesSpikes: Bool { false }
    public func multiplyAccumulates(for inputShape: [Int]) -> Int { 0 }
}

/// A layer that cannot take the shape it is given, e.g. pooling below one pixel.
public struct NetworkShapeError: Error, CustomStringConvertible, Equatable {
    /// The layer, e.g. "token 3 (AP2)".
    public var layer: String
    /// The input shape of one sample.
    public let inputShape: [Int]
    /// What went wrong.
    public let reason: String

    public init(layer: String, inputShape: [Int], reason: String) {
        self.layer = layer
        self.inputShape = inputShape
        self.reason = reason
    }

    public var description: String { "Layer \(layer) cannot take input of shape \(inputShape): \(reason)." }
}
