import STBPAutodiff
import STBPTensor

extension Network {
    /// Builds the network a spec names, for inputs of `inputShape`, initialising parameters from
    /// `seed` (token by token: each layer's weight, then its bias). Throws `NetworkShapeError`
    /// naming the token and shapes when a layer cannot take its input, and before allocating
    /// anything when the parameters would not fit in the machine's memory (`NetworkPlan`).
    ///
    /// Each token becomes the layers it stands for, all named by the token's index (so its
    /// parameters are `layers.<token index>.weight` and `.bias`, as in the PyTorch reference):
    ///
    ///     <n>C<k>[s<s>][p<p>]   Conv2D(C -> n, k, s, p), LIF
    ///     AP<k>[s<s>]           AvgPool2D(k, s)
    ///     NN[<k>]               NeuNorm([C, H, W], k)
    ///     D<p>                  Dropout(p)
    ///     <n>FC, <n>            Dense(in -> n), LIF
    ///     Voting[<v>]           Dense(in -> classes·v), LIF, Voting(classes, v)
    public convenience init(
        _ spec: NetworkSpec, inputShape: [Int], options: NetworkOptions = NetworkOptions(), seed: UInt64 = 0
    ) throws(NetworkShapeError) {
        try NetworkPlan(spec, inputShape: inputShape, options: options).checkParameters()
        var generator = SeededGenerator(seed: seed)
        var layers: [(name: String, layer: any Layer)] = []
        var labels: [String: String] = [:]
        var shape = inputShape
        for (index, token) in spec.tokens.enumerated() {
            do {
                for layer in try Network.makeLayers(token, inputShape: shape, options: options, generator: &generator) {
                    shape = try layer.outputShape(for: shape)
                    layers.append(("\(index)", layer))
                }
            } catch {
                var error = error
                error.layer = "token \(index) \"\(spec.tokenTexts[index])\""
                throw error
            }
            labels["\(index)"] = spec.tokenTexts[index]
        }
        do {
            try self.init(
                layers: Sequential(named: layers), inputShape: inputShape, spec: spec, options: options, labels: labels)
        } catch let error as NetworkShapeError {
            throw error
        } catch {
            preconditionFailure("A spec network names each parameter once: \(error)")
        }
    }

    /// Parses `spec` and builds the network; throws `NetworkSpecError` or `NetworkShapeError`.
    public convenience init(
        _ spec: String, inputShape: [Int], options: NetworkOptions = NetworkOptions(), seed: UInt64 = 0
    ) throws {
        try self.init(NetworkSpec(spec), inputShape: inputShape, options: options, seed: seed)
    }

    /// The layers of one token, drawing initial weights from `generator`.
    static func makeLayers(
        _ token: NetworkSpec.Token, inputShape: [Int], options: NetworkOptions, generator: inout SeededGenerator
    ) throws(NetworkShapeError) -> [any Layer] {
        switch token {
        case .conv(let outputs, let kernel, let stride, let padding, _):
            guard inputShape.count == 3 else {
                throw NetworkShapeError(layer: "", inputShape: inputShape, reason: "a convolution needs [C, H, W] maps")
            }
            let conv = Conv2D(
                inputChannels: inputShape[0], outputChannels: outputs, kernelSize: kernel, stride: stride,
                padding: padding, generator: &generator)
            orthogonalise(conv.weight, conv.bias, options.initialization, &generator)
            return [conv, options.neuron]
        case .averagePool(let kernel, let stride):
            return [AvgPool2D(kernelSize: kernel, stride: stride)]
        case .neuNorm(let decay):
            guard inputShape.count == 3 else {
                throw NetworkShapeError(layer: "", inputShape: inputShape, reason: "NeuNorm needs [F, H, W] maps")
            }
            return [NeuNorm(shape: inputShape, decay: decay ?? options.neuNormDecay)]
        case .dropout(let probability):
            return [Dropout(probability, masks: options.dropoutMasks)]
        case .dense(let outputs):
            let dense = Dense(inputSize: inputShape.reduce(1, *), outputSize: outputs, generator: &generator)
            orthogonalise(dense.weight, dense.bias, options.initialization, &generator)
            return [dense, options.neuron]
        case .voting(let votes):
            let votes = votes ?? options.votes
            let dense = Dense(
                inputSize: inputShape.reduce(1, *), outputSize: options.classes * votes, generator: &generator)
            orthogonalise(dense.weight, dense.bias, options.initialization, &generator)
            return [dense, options.neuron, Voting(classes: options.classes, votes: votes)]
        }
    }

    /// With orthogonal initialisation, replaces a weight by an orthogonal matrix and zeroes the bias.
    static func orthogonalise(
        _ weight: Parameter, _ bias: Parameter?, _ initialization: WeightInitialization,
        _ generator: inout SeededGenerator
    ) {
        guard case .orthogonal(let gain) = initialization else { return }
        weight.value = .orthogonal(weight.value.shape, gain: gain, using: &generator)
        if let bias { bias.value = Tensor(zeros: bias.value.shape) }
    }
}
