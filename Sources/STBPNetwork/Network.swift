import STBPAutodiff
import STBPTensor

/// A spiking network built from a spec in the paper's notation.
///
///     var generator = SeededGenerator(seed: 0)
///     let network = try Network("32C3-AP2-32C3-AP2-128FC-10", inputShape: [1, 28, 28])
///     let tape = Tape()
///     let output = network(images, options: ForwardOptions(timeSteps: 8, isTraining: true),
///                          tape: tape, generator: &generator)
///     let loss = Loss.meanSquaredError(output.readout, labels: labels)
///     tape.backward(loss)          // every parameter now holds its gradient
public final class Network {
    /// The spec the network was built from.
    public let spec: NetworkSpec
    /// The shape of one input sample per step, e.g. [1, 28, 28] or [2, 34, 34].
    public let inputShape: [Int]
    /// The options used to build it.
    public let options: NetworkOptions
    /// One layer per spec token.
    public let layers: [any Layer]
    /// The per-sample output shape of each layer.
    public let outputShapes: [[Int]]

    /// Builds the network for inputs of `inputShape`, initialising parameters from `seed`.
    /// Throws `NetworkShapeError` naming the token and shapes when a layer cannot take its input.
    public init(
        _ spec: NetworkSpec, inputShape: [Int], options: NetworkOptions = NetworkOptions(), seed: UInt64 = 0
    ) throws(NetworkShapeError) {
        var generator = SeededGenerator(seed: seed)
        var layers: [any Layer] = []
        var shapes: [[Int]] = []
        var shape = inputShape
        for (index, token) in spec.tokens.enumerated() {
            do {
                let layer = try Network.makeLayer(token, inputShape: shape, options: options, generator: &generator)
                if case .orthogonal(let gain) = options.initialization {
                    Network.orthogonalise(layer, gain: gain, generator: &generator)
                }
                shape = try layer.outputShape(for: shape)
                layers.append(layer)
                shapes.append(shape)
            } catch {
                var error = error
                error.layer = "token \(index) \"\(spec.tokenTexts[index])\""
                throw error
            }
        }
        self.spec = spec
        self.inputShape = inputShape
        self.options = options
        self.layers = layers
        self.outputShapes = shapes
    }

    /// Parses `spec` and builds the network; throws `NetworkSpecError` or `NetworkShapeError`.
    public convenience init(
        _ spec: String, inputShape: [Int], options: NetworkOptions = NetworkOptions(), seed: UInt64 = 0
    ) throws {
        try self.init(NetworkSpec(spec), inputShape: inputShape, options: options, seed: seed)
    }

    static func makeLayer(
        _ token: NetworkSpec.Token, inputShape: [Int], options: NetworkOptions, generator: inout SeededGenerator
    ) throws(NetworkShapeError) -> any Layer {
        switch token {
        case .conv(let outputs, let kernel, let stride, let padding, _):
            guard inputShape.count == 3 else {
                throw NetworkShapeError(layer: "", inputShape: inputShape, reason: "a convolution needs [C, H, W] maps")
            }
            return Conv2D(
                inputChannels: inputShape[0], outputChannels: outputs, kernelSize: kernel, stride: stride,
                padding: padding, neuron: options.neuron, generator: &generator)
        case .averagePool(let kernel, let stride):
            return AvgPool2D(kernelSize: kernel, stride: stride)
        case .neuNorm(let decay):
            guard inputShape.count == 3 else {
                throw NetworkShapeError(layer: "", inputShape: inputShape, reason: "NeuNorm needs [F, H, W] maps")
            }
            return NeuNorm(shape: inputShape, decay: decay ?? options.neuNormDecay)
        case .dropout(let probability):
            return Dropout(probability: probability, masks: options.dropoutMasks)
        case .dense(let outputs):
            return Dense(
                inputSize: inputShape.reduce(1, *), outputSize: outputs, neuron: options.neuron, generator: &generator)
        case .voting(let votes):
            return Voting(
                inputSize: inputShape.reduce(1, *), classes: options.classes, votes: votes ?? options.votes,
                neuron: options.neuron, generator: &generator)
        }
    }

    /// Replaces the weights of a conv, dense or voting layer by an orthogonal matrix and zeroes its bias.
    static func orthogonalise(_ layer: any Layer, gain: Float, generator: inout SeededGenerator) {
        guard layer is Conv2D || layer is Dense || layer is Voting else { return }
        for (name, parameter) in layer.parameters {
            let shape = parameter.value.shape
            parameter.value =
                name == "weight" ? .orthogonal(shape, gain: gain, using: &generator) : Tensor(zeros: shape)
        }
    }

    /// The number of classes the readout scores.
    public var classes: Int {
        if let voting = layers.last as? Voting { return voting.classes }
        return outputShapes.last?.reduce(1, *) ?? 0
    }

    /// Every parameter with its PyTorch-style name `layers.<token index>.<weight|bias>`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { index, layer in
            layer.parameters.map { ("layers.\(index).\($0.name)", $0.parameter) }
        }
    }

    /// The parameter called `name`, if any.
    public func parameter(named name: String) -> Parameter? {
        namedParameters.first { $0.name == name }?.parameter
    }

    /// The token index of every layer that fires spikes.
    public var spikingLayers: [Int] {
        layers.indices.filter { layers[$0].firesSpikes }
    }
}

/// What a forward pass returns.
public struct NetworkOutput {
    /// The readout [N, classes]: mean firing rates over T, averaged per class when voting.
    public let readout: Variable
    /// The mean firing rate of each spiking layer, by token index.
    public let firingRates: [Int: Float]
    /// Each spiking layer's spikes [T, N, ...], by token index, when recording was asked for.
    public let spikes: [Int: Tensor]
}
