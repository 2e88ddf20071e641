import STBPAutodiff
import STBPTensor

/// A spiking network: layers composed in Swift, or built from a spec in the paper's notation,
/// for inputs of a given shape. It runs them over T steps in either loop order, reads out the
/// mean output over time, and names every parameter `layers.<path>.<name>`.
///
///     let network = try Network(inputShape: [1, 28, 28], seed: 0) {
///         Conv2D(1, 32, kernelSize: 3, padding: 1); LIF(); AvgPool2D(2)
///         Conv2D(32, 32, kernelSize: 3, padding: 1); LIF(); AvgPool2D(2)
///         Dense(32 * 7 * 7, 128); LIF()
///         Dense(128, 10); LIF()
///     }
///     network.spec?.text        // "32C3-AP2-32C3-AP2-128FC-10"
///
///     var generator = SeededGenerator(seed: 0)
///     let tape = Tape()
///     let output = network(images, options: ForwardOptions(timeSteps: 8, isTraining: true),
///                          tape: tape, generator: &generator)
///     tape.backward(Loss.meanSquaredError(output.readout, labels: labels))
public final class Network {
    /// The layers, applied in order.
    public let layers: Sequential
    /// The shape of one input sample per step, e.g. [1, 28, 28] or [2, 34, 34].
    public let inputShape: [Int]
    /// The per-sample output shape of each of `layers`' sublayers.
    public let outputShapes: [[Int]]
    /// The network in the paper's notation: the spec it was built from, or the one that names
    /// its composition; nil when the notation cannot name it.
    public let spec: NetworkSpec?
    /// The options a spec network was built with; nil for a composition.
    public let options: NetworkOptions?
    /// Every parameter with its name `layers.<path>.<name>`, in order.
    public let namedParameters: [(name: String, parameter: Parameter)]
    /// A short label of each layer by path: the spec token a spec network's layer comes from.
    let labels: [String: String]

    /// Composes the network from `layers` for inputs of `inputShape`. Throws
    /// `NetworkShapeError` when a layer cannot take its input, and `NetworkCompositionError`
    /// when two parameters would share a name.
    public convenience init(inputShape: [Int], layers: Sequential) throws {
        try self.init(layers: layers, inputShape: inputShape, spec: nil, options: nil, labels: [:])
    }

    /// Composes the network from the layers the builder lists; layers made inside it without an
    /// explicit generator draw their initial weights from `seed` (from the current
    /// `ParameterInitialization` scope when nil).
    public convenience init(
        inputShape: [Int], seed: UInt64? = nil, @LayerBuilder layers: () -> [any Layer]
    ) throws {
        let sequential = seed.map { seed in ParameterInitialization.withSeed(seed) { Sequential(layers()) } }
        try self.init(inputShape: inputShape, layers: sequential ?? Sequential(layers()))
    }

    init(
        layers: Sequential, inputShape: [Int], spec: NetworkSpec?, options: NetworkOptions?,
        labels: [String: String]
    ) throws {
        do {
            outputShapes = try layers.sublayerOutputShapes(for: inputShape)
        } catch {
            var error = error
            error.layer = "layers.\(error.layer)"
            throw error
        }
        var seen: Set<String> = []
        let named = layers.parameters.map { ("layers.\($0.name)", $0.parameter) }
        for (name, _) in named where !seen.insert(name).inserted {
            throw NetworkCompositionError(reason: "two parameters are named \"\(name)\"")
        }
        self.layers = layers
        self.inputShape = inputShape
        self.spec = spec ?? NetworkSpec(naming: layers)
        self.options = options
        self.namedParameters = named
        self.labels = labels
    }

    /// The per-sample output shape.
    public var outputShape: [Int] { outputShapes.last ?? inputShape }

    /// The number of classes the readout scores: the size of the output.
    public var classes: Int { outputShape.reduce(1, *) }

    /// The parameter called `name`, if any.
    public func parameter(named name: String) -> Parameter? {
        namedParameters.first { $0.name == name }?.parameter
    }

    /// Every layer with its path ("3", "3.main.0"), depth first, containers before their sublayers.
    public var allLayers: [(path: String, layer: any Layer)] {
        func walk(_ prefix: String, _ layer: any Layer) -> [(path: String, layer: any Layer)] {
            layer.sublayers.flatMap { name, child in
                let path = prefix.isEmpty ? name : "\(prefix).\(name)"
                return [(path, child)] + walk(path, child)
            }
        }
        return walk("", layers)
    }

    /// The path of every layer that fires spikes, in order (a spec network's token indices).
    public var spikingLayers: [String] {
        var seen: Set<String> = []
        return allLayers.filter { $0.layer.firesSpikes && seen.insert($0.path).inserted }.map(\.path)
    }

    /// A short label for the layer at `path`: its spec token, or its type.
    public func label(ofLayerAt path: String) -> String {
        if let label = labels[path] { return label }
        return allLayers.first { $0.path == path }.map { String(describing: type(of: $0.layer)) } ?? path
    }
}

/// A composition that cannot form a network, e.g. two parameters with one name.
public struct NetworkCompositionError: Error, CustomStringConvertible, Equatable {
    /// What is wrong.
    public let reason: String
    /// "The network cannot be composed: <reason>."
    public var description: String { "The network cannot be composed: \(reason)." }
}

/// What a forward pass returns.
public struct NetworkOutput {
    /// The readout [N, classes]: the network's output averaged over T (mean firing rates of the
    /// output neurons, averaged per class when voting).
    public let readout: Variable
    /// The mean firing rate of each spiking layer, by path (a spec network's token index).
    public let firingRates: [String: Float]
    /// Each spiking layer's spikes [T, N, ...], by path, when recording was asked for.
    public let spikes: [String: Tensor]
    /// Each neuron layer's membrane potentials and thresholds over the T steps, by path, when
    /// `ForwardOptions.recordMembranes` asked for them (neurons that report none are left out).
    public let membranes: [String: MembraneTrace]
}
