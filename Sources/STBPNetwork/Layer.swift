import STBPAutodiff
import STBPTensor

/// One layer of a spiking network, runnable over all T steps at once or one step at a time.
///
/// A layer is a value: use it on its own (`layer(x)` over a time series [T, N, ...]) or inside
/// any composition (`Sequential`, `Residual`, `Parallel`, a `Network`). Both ways of running it
/// must give the same numbers: `forward` is the fast path (T folded into the batch), `step` the
/// paper's "for t: for layer" order, which the tests hold it against.
///
/// A stateless layer writes `forward` with `TimeSeries.mapFolded` and `step` as the same
/// operation on one step; a neuron conforms to `Neuron` instead and writes one time step only.
/// A container lists its children in `sublayers`; their parameters, firing rates and spikes
/// are then named by path ("3.main.0.weight").
public protocol Layer {
    /// The shape of one sample's output for one sample's input shape, or an error naming the
    /// layer and the shapes.
    func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int]
    /// The trainable parameters with their names within the layer ("weight", "0.bias").
    var parameters: [(name: String, parameter: Parameter)] { get }
    /// The layers inside a container, with their names; empty for a leaf layer.
    var sublayers: [(name: String, layer: any Layer)] { get }
    /// Whether the output is spikes (a neuron layer); its firing rate is then recorded.
    var firesSpikes: Bool { get }
    /// Multiply-accumulates per sample and time step for an input shape (the synapses' work).
    func multiplyAccumulates(for inputShape: [Int]) -> Int
    /// All T steps at once: [T, N, ...] (or a constant [N, ...]) -> [T, N, ...].
    func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries
    /// One step: input [N, ...] at step `state.step` -> output [N, ...]. `state` starts empty
    /// and is the layer's own from one step to the next.
    func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable
}

extension Layer {
    /// The sublayers' parameters, named "<child>.<name>"; a leaf layer has none unless it says so.
    public var parameters: [(name: String, parameter: Parameter)] {
        sublayers.flatMap { child in child.layer.parameters.map { ("\(child.name).\($0.name)", $0.parameter) } }
    }
    public var sublayers: [(name: String, layer: any Layer)] { [] }
    public var firesSpikes: Bool { false }
    /// 0: a layer without synapses. A layer with weights, or a container, gives its own count
    /// (`Sequential`, `Parallel` and `Residual` add up their sublayers').
    public func multiplyAccumulates(for inputShape: [Int]) -> Int { 0 }

    /// Runs the layer on its own over a time series [T, N, ...] (dropout off, nothing recorded
    /// unless `tape` is given): the output series [T, N, ...].
    public func callAsFunction(
        _ input: Variable, tape: Tape? = nil, isTraining: Bool = false,
        generator: SeededGenerator = SeededGenerator(seed: 0)
    ) -> Variable {
        precondition(input.shape.count >= 2, "A layer takes a time series [T, N, ...], got \(input.shape).")
        var context = ForwardContext(
            tape: tape, isTraining: isTraining, timeSteps: input.shape[0], generator: generator)
        return forward(TimeSeries(steps: input), context: &context).expanded()
    }

    /// Runs the layer on a time series within a forward pass.
    public func callAsFunction(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        forward(input, context: &context)
    }
}

/// What a layer carries from one time step to the next in the paper's loop order.
public struct LayerState {
    /// The current step t (0-based).
    public var step = 0
    /// The layer's own state (a neuron's membrane, a dropout mask), nil before the first step.
    public var value: Any?
    /// The states of a container's sublayers, by position.
    public var children: [LayerState] = []
    /// A container's sublayer generators, carried from step to step.
    public var generators: [SeededGenerator] = []

    /// The state before the first step.
    public init() {}
}

/// A network that cannot be built: a layer that cannot take the shape it is given (pooling
/// below one pixel), sizes that overflow or do not fit in memory, or options out of range.
public struct NetworkShapeError: Error, CustomStringConvertible, Equatable {
    /// The layer, e.g. "token 3 (AP2)" or "layers.2".
    public var layer: String
    /// The input shape of one sample.
    public let inputShape: [Int]
    /// What went wrong.
    public let reason: String

    /// An error for `layer` given `inputShape`.
    public init(layer: String, inputShape: [Int], reason: String) {
        self.layer = layer
        self.inputShape = inputShape
        self.reason = reason
    }

    /// "Layer <layer> cannot take input of shape <shape>: <reason>."
    public var description: String { "Layer \(layer) cannot take input of shape \(inputShape): \(reason)." }
}
