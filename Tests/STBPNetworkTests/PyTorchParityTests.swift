import Foundation
import STBPAutodiff
import STBPNetwork
import STBPTensor
import Testing

/// A fixture written by Scripts/reference/make_fixtures.py from the PyTorch reference.
struct Fixture {
    let file: SafeTensors
    let path: String

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    init(_ name: String) throws {
        let url = Fixture.folder.appendingPathComponent("\(name).safetensors")
        file = try SafeTensors(contentsOf: url)
        path = url.path
    }

    func meta(_ key: String) -> String { file.metadata[key] ?? "" }
    func number(_ key: String) -> Float { Float(meta(key))! }
    func tensor(_ key: String) -> Tensor { file.float32(key)! }
    func labels(_ key: String = "labels") -> [Int] { file.int64(key)!.map(Int.init) }

    var networkOptions: NetworkOptions {
        let neuron = LIF(
            decay: number("decay"), threshold: number("threshold"),
            anySurrogate: SurrogateCatalog.surrogate(named: meta("surrogate"), width: number("surrogate_width"))!,
            detachReset: meta("reset") == "detached")
        return NetworkOptions(
            neuron: neuron, classes: Int(meta("classes"))!, votes: max(1, Int(meta("votes")) ?? 10),
            neuNormDecay: Float(meta("neunorm_k_default")) ?? 0.9)
    }

    var loss: Loss { meta("loss") == "mse" ? .meanSquaredError : .crossEntropy }
    var inputShape: [Int] { meta("input_shape").split(separator: "x").map { Int($0)! } }

    func network(weightsPrefix: String = "") throws -> Network {
        let network = try Network(meta("spec"), inputShape: inputShape, options: networkOptions)
        try network.loadParameters(from: file, path: path, prefix: weightsPrefix)
        return network
    }
}

@Suite struct PyTorchParityTests {
    static let fixtures = [
        "mnist_static", "events_voting", "multi_conv", "strided_pool", "neunorm", "detach_reset", "crossentropy",
        "surrogate_triangular", "surrogate_sigmoid", "surrogate_gaussian", "surrogate_arctan",
    ]

    @Test(arguments: fixtures, LoopOrder.allCases)
    func gradientsSpikesAndOutputsMatchThePyTorchReference(name: String, order: LoopOrder) throws {
        let fixture = try Fixture(name)
        let network = try fixture.network()
        var generator = SeededGenerator(seed: 0)
        let options = ForwardOptions(timeSteps: Int(fixture.meta("time_steps"))!, order: order, recordSpikes: true)
        let result = network.lossAndGradients(
            fixture.tensor("input"), labels: fixture.labels(), loss: fixture.loss, options: options,
            generator: &generator)

        for index in network.spikingLayers {
            #expect(result.output.spikes[index] == fixture.tensor("spikes.\(index)"), "spikes of token \(index)")
        }
        #expect(result.output.readout.value.relativeDifference(to: fixture.tensor("output")) < 1e-5)
        #expect(abs(result.loss - fixture.tensor("loss").scalars[0]) <= 1e-5 * abs(result.loss))
        for (name, gradient) in result.gradients {
            let difference = gradient.relativeDifference(to: fixture.tensor("grad.\(name)"))
            #expect(difference < 1e-4, "\(name): \(difference)")
        }
    }

    static func optimizer(_ run: String) -> Optimizer {
        switch run {
        case "sgd": SGD(learningRate: 0.05, momentum: 0.9)
        case "sgd_nesterov": SGD(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3)
        case "adam": Adam(learningRate: 1e-3)
        default: Adam.adamW(learningRate: 1e-3, weightDecay: 1e-2)
        }
    }

    @Test(arguments: ["sgd", "sgd_nesterov", "adam", "adamw"])
    func fiveOptimizerStepsEndOnPyTorchsWeights(run: String) throws {
        let fixture = try Fixture("optimizer_steps")
        let network = try fixture.network(weightsPrefix: "init.")
        let optimizer = Self.optimizer(run)
        var generator = SeededGenerator(seed: 0)
        let losses = fixture.tensor("\(run).losses").scalars
        for k in 0..<5 {
            let result = network.lossAndGradients(
                fixture.tensor("batch.\(k).input"), labels: fixture.labels("batch.\(k).labels"),
                options: ForwardOptions(timeSteps: Int(fixture.meta("time_steps"))!), generator: &generator)
            #expect(abs(result.loss - losses[k]) <= 1e-4 * abs(losses[k]), "loss \(k)")
            optimizer.step(network.namedParameters)
        }
        for (name, value) in network.parameterTensors {
            let difference = value.relativeDifference(to: fixture.tensor("\(run).\(name)"))
            #expect(difference < 1e-4, "\(name): \(difference)")
        }
    }
}
