import STBPAutodiff
import STBPTensor

/// Layers applied one after the other, composed with a result builder:
///
///     let block = Sequential {
///         Conv2D(1, 32, kernelSize: 3, padding: 1)
///         LIF()
///         AvgPool2D(2)
///     }
///
/// Sublayers are named by position ("0", "1", ...), or by the names given to
/// `init(named:)`; a parameter is named by the path to it ("3.weight"). The fused passes are
/// chosen here, once, from the layers written: `LIF` neurons followed by `AvgPool2D` pool
/// their spikes inside the LIF pass, and a `Conv2D` right after neurons takes their spikes
/// through `Variable.spikeConv2d` (kept as bits, event-driven where the density makes it pay).
public struct Sequential: Layer {
    /// The layers in order, with their names.
    public let sublayers: [(name: String, layer: any Layer)]
    /// How `forward` runs the layers: one stage per layer, or one fused stage for a LIF layer
    /// and the pooling after it.
    let stages: [Stage]

    struct Stage {
        /// The index of the stage's first layer.
        let first: Int
        /// The neurons and pooling run as one pass, when the stage fuses them.
        let lifPooling: (neuron: LIF, pool: AvgPool2D)?
        /// The convolution, when its input is the spikes of the neurons before it.
        var spikeConvolution: Conv2D? = nil
        /// The number of layers the stage runs.
        var count: Int { lifPooling == nil ? 1 : 2 }
    }

    /// The layers the builder lists, named by position.
    public init(@LayerBuilder _ layers: () -> [any Layer]) {
        self.init(layers())
    }

    /// `layers`, named by position.
    public init(_ layers: [any Layer]) {
        self.init(named: layers.enumerated().map { ("\($0.offset)", $0.element) })
    }

    /// Layers with names of their own. Names must not contain "."; a name may repeat only
    /// where the layers that share it do not both have parameters (the paper's notation names
    /// a convolution and its neurons by their token's index).
    public init(named layers: [(name: String, layer: any Layer)]) {
        precondition(
            layers.allSatisfy { !$0.name.contains(".") && !$0.name.isEmpty },
            "Layer names must be non-empty and must not contain \".\".")
        sublayers = layers
        var stages: [Stage] = []
        var index = 0
        while index < layers.count {
            if let neuron = layers[index].layer as? LIF, neuron.surrogate.firesBinarySpikes, index + 1 < layers.count,
                let pool = layers[index + 1].layer as? AvgPool2D
            {
                stages.append(Stage(first: index, lifPooling: (neuron, pool)))
            } else if let conv = layers[index].layer as? Conv2D, index > 0, layers[index - 1].layer is any Neuron {
                stages.append(Stage(first: index, lifPooling: nil, spikeConvolution: conv))
            } else {
                stages.append(Stage(first: index, lifPooling: nil))
            }
            index += stages.last!.count
        }
        self.stages = stages
    }

    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] {
        try sublayerOutputShapes(for: inputShape).last ?? inputShape
    }

    /// The per-sample output shape of each sublayer in turn; an error names the sublayer.
    public func sublayerOutputShapes(for inputShape: [Int]) throws(NetworkShapeError) -> [[Int]] {
        var shape = inputShape
        var shapes: [[Int]] = []
        for (name, layer) in sublayers {
            do {
                shape = try layer.outputShape(for: shape)
            } catch {
                var error = error
                error.layer = error.layer.isEmpty ? name : "\(name) (\(error.layer))"
                throw error
            }
            shapes.append(shape)
        }
        return shapes
    }

    public func multiplyAccumulates(for inputShape: [Int]) -> Int {
        var shape = inputShape
        var total = 0
        for (_, layer) in sublayers {
            total += layer.multiplyAccumulates(for: shape)
            guard let next = try? layer.outputShape(for: shape) else { break }
            shape = next
        }
        return total
    }

    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        let path = context.path
        var generators = sublayers.map { _ in context.generator.split() }
        var series = input
        for stage in stages {
            let (name, layer) = sublayers[stage.first]
            context.path = path.isEmpty ? name : "\(path).\(name)"
            context.generator = generators[stage.first]
            if let (neuron, pool) = stage.lifPooling {
                series = neuron.fire(series, pool: pool, context: context)
            } else if let conv = stage.spikeConvolution {
                series = conv.forward(spikes: series, context: context)
            } else {
                series = layer.forward(series, context: &context)
            }
            generators[stage.first] = context.generator
        }
        context.path = path
        return series
    }

    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        if state.step == 0 {
            state.children = sublayers.map { _ in LayerState() }
            state.generators = sublayers.map { _ in context.generator.split() }
        }
        let path = context.path
        var x = input
        for (index, (name, layer)) in sublayers.enumerated() {
            context.path = path.isEmpty ? name : "\(path).\(name)"
            context.generator = state.generators[index]
            x = layer.step(x, state: &state.children[index], context: &context)
            state.generators[index] = context.generator
            state.children[index].step += 1
        }
        context.path = path
        return x
    }
}

/// Builds a list of layers from statements, `if`, `if`/`else` and `for` loops.
@resultBuilder
public enum LayerBuilder {
    /// A statement that is one layer.
    public static func buildExpression(_ layer: any Layer) -> [any Layer] { [layer] }
    /// A statement that is a list of layers, spliced in order.
    public static func buildExpression(_ layers: [any Layer]) -> [any Layer] { layers }
    /// The statements' layers in order.
    public static func buildBlock(_ parts: [any Layer]...) -> [any Layer] { parts.flatMap { $0 } }
    /// An `if` without `else`: its layers, or none.
    public static func buildOptional(_ part: [any Layer]?) -> [any Layer] { part ?? [] }
    /// The `if` branch of an `if`/`else`.
    public static func buildEither(first part: [any Layer]) -> [any Layer] { part }
    /// The `else` branch of an `if`/`else`.
    public static func buildEither(second part: [any Layer]) -> [any Layer] { part }
    /// A `for` loop: every iteration's layers in order.
    public static func buildArray(_ parts: [[any Layer]]) -> [any Layer] { parts.flatMap { $0 } }
}
