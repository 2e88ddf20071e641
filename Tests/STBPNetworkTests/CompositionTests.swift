import STBPAutodiff
import STBPTensor
import Testing

@testable import STBPNetwork

/// Networks composed in Swift: the builder, names, the spec they print, fused stages chosen at
/// assembly, branches that merge, and layers of a user's own.
@Suite struct CompositionTests {
    /// The authors' MNIST network written layer by layer.
    static func mnistNetwork(seed: UInt64 = 0) throws -> Network {
        try Network(inputShape: [1, 28, 28], seed: seed) {
            Conv2D(1, 32, kernelSize: 3, padding: 1)
            LIF()
            AvgPool2D(2)
            Conv2D(32, 32, kernelSize: 3, padding: 1)
            LIF()
            AvgPool2D(2)
            Dense(32 * 7 * 7, 128)
            LIF()
            Dense(128, 10)
            LIF()
        }
    }

    @Test func aComposedNetworkPrintsItsSpecAndNamesParametersByPosition() throws {
        let network = try Self.mnistNetwork()
        #expect(network.spec?.text == "32C3-AP2-32C3-AP2-128FC-10")
        #expect(
            network.namedParameters.map(\.name) == [
                "layers.0.weight", "layers.0.bias", "layers.3.weight", "layers.3.bias", "layers.6.weight",
                "layers.6.bias", "layers.8.weight", "layers.8.bias",
            ])
        #expect(network.spikingLayers == ["1", "4", "7", "9"])
        #expect(network.classes == 10)
        // The same seed gives the same weights; another seed others.
        let again = try Self.mnistNetwork()
        #expect(again.parameter(named: "layers.3.weight")!.value == network.parameter(named: "layers.3.weight")!.value)
        #expect(
            try Self.mnistNetwork(seed: 1).parameter(named: "layers.3.weight")!.value
                != network.parameter(named: "layers.3.weight")!.value)
    }

    @Test func aCompositionTheNotationCannotNameHasNoSpec() throws {
        let withoutNeurons = try Network(inputShape: [4], seed: 0) { Dense(4, 3) }
        #expect(withoutNeurons.spec == nil)
        let mixedNeurons = try Network(inputShape: [4], seed: 0) {
            Dense(4, 8)
            LIF(threshold: 0.3)
            Dense(8, 3)
            LIF()
        }
        #expect(mixedNeurons.spec == nil)
        let adaptive = try Network(inputShape: [4], seed: 0) {
            Dense(4, 3)
            ALIF()
        }
        #expect(adaptive.spec == nil)
        let voting = try Network(inputShape: [2, 6, 6], seed: 0) {
            Conv2D(2, 4, kernelSize: 3, stride: 2, padding: 0)
            LIF()
            Dropout(0.5)
            Flatten()
            Dense(16, 30)
            LIF()
            Voting(classes: 3, votes: 10)
        }
        #expect(voting.spec?.text == "4C3s2p0-D0.5-Voting")
        #expect(voting.classes == 3)
    }

    /// A spec network and the same layers composed by hand compute the same numbers.
    @Test func theSpecFrontEndBuildsTheSameCompositionAsTheBuilder() throws {
        // A low threshold keeps the deeper layers of these tiny, freshly initialised nets firing.
        let neuron = LIF(decay: 0.3, threshold: 0.1)
        let spec = try Network(
            "8C3-AP2-16FC-Voting4", inputShape: [2, 8, 8], options: NetworkOptions(neuron: neuron, classes: 3))
        let composed = try Network(inputShape: [2, 8, 8], seed: 1) {
            Conv2D(2, 8, kernelSize: 3, padding: 1)
            neuron
            AvgPool2D(2)
            Dense(8 * 4 * 4, 16)
            neuron
            Dense(16, 12)
            neuron
            Voting(classes: 3, votes: 4)
        }
        #expect(composed.spec?.text == "8C3-AP2-16FC-Voting4")
        let byPosition = ["0": "0", "3": "2", "5": "3"]
        for (name, parameter) in composed.namedParameters {
            let parts = name.split(separator: ".")
            let token = byPosition[String(parts[1])]!
            parameter.value = spec.parameter(named: "layers.\(token).\(parts[2])")!.value
        }
        var g = SeededGenerator(seed: 3)
        let input = Tensor.uniform([3, 2, 8, 8], low: 0, high: 1.5, using: &g)
        var g1 = SeededGenerator(seed: 4), g2 = SeededGenerator(seed: 4)
        let a = spec(input, options: ForwardOptions(timeSteps: 4), generator: &g1)
        let b = composed(input, options: ForwardOptions(timeSteps: 4), generator: &g2)
        #expect(a.readout.value == b.readout.value)
        #expect(a.readout.value.max() > 0)
    }

    @Test func theFusedPassesAreChosenWhenTheLayersAreAssembled() {
        let block = Sequential {
            Conv2D(1, 4, kernelSize: 3, padding: 1)
            LIF()
            AvgPool2D(2)
            LIF(surrogate: SmoothSpike())  // a spike that is not binary: no fused pooling
            AvgPool2D(2)
            LIF()
        }
        #expect(block.stages.map(\.first) == [0, 1, 3, 4, 5])
        #expect(block.stages.map { $0.lifPooling != nil } == [false, true, false, false, false])
    }

    @Test func twoParametersWithOneNameAreRefused() {
        let dense = Dense(4, 4)
        #expect(throws: NetworkCompositionError.self) {
            try Network(inputShape: [4], layers: Sequential(named: [("a", dense), ("a", Dense(4, 4))]))
        }
        #expect(throws: NetworkShapeError.self) {
            try Network(inputShape: [5], seed: 0) { Dense(4, 3) }
        }
    }

    /// A residual spiking network: the block's two paths summed, trained a few steps, with the
    /// same spikes and gradients in both loop orders.
    static func residualNetwork() throws -> Network {
        try Network(inputShape: [2, 8, 8], seed: 2) {
            Conv2D(2, 6, kernelSize: 3, padding: 1)
            LIF(decay: 0.3, threshold: 0.2)
            Residual {
                Conv2D(6, 6, kernelSize: 3, padding: 1)
                LIF(decay: 0.3, threshold: 0.2)
                Conv2D(6, 6, kernelSize: 3, padding: 1)
                LIF(decay: 0.3, threshold: 0.2)
            }
            AvgPool2D(2)
            Parallel(merge: .concatenate) {
                Sequential {
                    Conv2D(6, 4, kernelSize: 1)
                    LIF(decay: 0.3, threshold: 0.2)
                }
                Identity()
            }
            Dense(10 * 4 * 4, 3)
            LIF(decay: 0.3, threshold: 0.2)
        }
    }

    @Test func aResidualNetworkHasTheSameGradientsInBothLoopOrders() throws {
        let network = try Self.residualNetwork()
        #expect(network.outputShapes[2] == [6, 8, 8] && network.outputShapes[4] == [10, 4, 4])
        #expect(network.parameter(named: "layers.2.main.2.weight") != nil)
        #expect(network.spikingLayers.contains("2.main.3") && network.spikingLayers.contains("4.0.1"))
        var g = SeededGenerator(seed: 5)
        let input = Tensor.bernoulli([5, 3, 2, 8, 8], probability: 0.4, using: &g)
        let labels = [0, 1, 2]
        func run(_ order: LoopOrder) -> (NetworkOutput, [String: Tensor]) {
            var generator = SeededGenerator(seed: 7)
            let tape = Tape()
            let output = network(
                input, options: ForwardOptions(isTraining: true, order: order, recordSpikes: true), tape: tape,
                generator: &generator)
            tape.backward(Loss.meanSquaredError(output.readout, labels: labels))
            let gradients = network.namedParameters.map { ($0.name, $0.parameter.gradient!) }
            return (output, Dictionary(uniqueKeysWithValues: gradients))
        }
        let (byLayer, layerGradients) = run(.layer)
        let (byTime, timeGradients) = run(.time)
        #expect(Set(byLayer.spikes.keys) == Set(network.spikingLayers))
        for (path, spikes) in byLayer.spikes {
            #expect(spikes == byTime.spikes[path], "spikes of \(path)")
            #expect(spikes.mean() > 0.01 && spikes.mean() < 0.99, "\(path) fires at \(spikes.mean())")
        }
        #expect(byLayer.readout.value == byTime.readout.value)
        for (name, gradient) in layerGradients {
            #expect(gradient.relativeDifference(to: timeGradients[name]!) < 1e-5, "\(name)")
            #expect(gradient.max() != 0 || gradient.min() != 0, "\(name) has no gradient")
        }
    }

    @Test func aResidualNetworkTrains() throws {
        let network = try Self.residualNetwork()
        let optimizer = Adam(learningRate: 5e-3)
        var g = SeededGenerator(seed: 8)
        let input = Tensor.bernoulli([5, 6, 2, 8, 8], probability: 0.4, using: &g)
        let labels = [0, 1, 2, 0, 1, 2]
        var losses: [Float] = []
        for _ in 0..<12 {
            var generator = SeededGenerator(seed: 9)
            let result = network.lossAndGradients(
                input, labels: labels, options: ForwardOptions(isTraining: true), generator: &generator)
            losses.append(result.loss)
            optimizer.step(network.namedParameters)
        }
        #expect(losses.allSatisfy { $0.isFinite })
        #expect(losses.last! < 0.8 * losses.first!, "\(losses)")
    }

    /// A layer of a user's own goes into a composition like any built-in one.
    struct Scale: Layer {
        let factor: Parameter = Parameter(Tensor([2]))
        var parameters: [(name: String, parameter: Parameter)] { [("factor", factor)] }
        func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] { inputShape }
        func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
            let factor = context.variable(self.factor)
            return input.mapFolded { $0 * factor }
        }
        func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
            input * context.variable(factor)
        }
    }

    @Test func aLayerOfYourOwnIsUsableAloneAndInANetwork() throws {
        let scale = Scale()
        let tape = Tape()
        let x = tape.variable(Tensor(shape: [2, 1, 3], scalars: [1, 2, 3, 4, 5, 6]))
        let y = scale(x, tape: tape)
        #expect(y.value.scalars == [2, 4, 6, 8, 10, 12])
        tape.backward(y.sum())
        #expect(scale.factor.gradient?.scalars == [21])

        let network = try Network(inputShape: [3], seed: 0) {
            Dense(3, 4)
            Scale()
            LIF()
        }
        #expect(network.parameter(named: "layers.1.factor") != nil)
        var generator = SeededGenerator(seed: 0)
        let result = network.lossAndGradients(
            Tensor(shape: [2, 3], scalars: [1, 0, 1, 0, 1, 1]), labels: [0, 3], options: ForwardOptions(timeSteps: 3),
            generator: &generator)
        #expect(result.gradients["layers.1.factor"] != nil)
    }
}

/// A smooth spike: o = sigmoid(x / a), with its exact derivative as the surrogate. Neurons with
/// it are differentiable functions, so finite differences check their gradients exactly.
struct SmoothSpike: Surrogate {
    var width: Float = 0.25
    var name: String { "smooth-sigmoid" }
    var firesBinarySpikes: Bool { false }
    func spike(at x: Float) -> Float { 1 / (1 + expf(-x / width)) }
    func derivative(at x: Float) -> Float {
        let s = spike(at: x)
        return s * (1 - s) / width
    }
}

#if canImport(Glibc)
    import Glibc
#endif
