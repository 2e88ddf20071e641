import STBPAutodiff
import STBPNetwork
import STBPTensor
import Testing

/// The fast layer-major path against the paper's "for t: for layer" path built from per-step
/// primitives: identical spikes and outputs, gradients within 1e-5 relative.
@Suite struct LoopOrderTests {
    struct Run {
        let readout: Tensor
        let loss: Float
        let spikes: [String: Tensor]
        let gradients: [String: Tensor]
    }

    static func run(
        _ network: Network, _ input: Tensor, labels: [Int], order: LoopOrder, training: Bool = true,
        encoding: Encoding = .direct, loss: Loss = .meanSquaredError, timeSteps: Int = 5
    ) -> Run {
        var generator = SeededGenerator(seed: 2024)
        let tape = Tape()
        let options = ForwardOptions(
            timeSteps: timeSteps, isTraining: training, encoding: encoding, order: order, recordSpikes: true)
        let output = network(input, options: options, tape: tape, generator: &generator)
        let value = loss(output.readout, labels: labels)
        tape.backward(value)
        let gradients = Dictionary(
            uniqueKeysWithValues: network.namedParameters.map { ($0.name, $0.parameter.gradient!) })
        return Run(readout: output.readout.value, loss: value.value.scalar, spikes: output.spikes, gradients: gradients)
    }

    static let cases: [(spec: String, input: [Int], events: Bool, encoding: Encoding)] = [
        ("6C3-AP2-12C3-AP2-20FC-10", [2, 12, 12], false, .direct),
        ("6C3-6C3s2p0-AP2-10", [3, 11, 9], true, .direct),
        ("8C3(Encoding)-AP2-16FC-Voting4", [2, 8, 8], true, .direct),
        ("6C3-D0.3-AP2-D0.5-16FC-D0.2-10", [1, 8, 8], false, .direct),
        ("6C3-NN-AP2-8C3-NN0.7-10", [1, 8, 8], false, .direct),
        ("12FC-D0.4-10", [1, 6, 6], false, .bernoulli),
    ]

    @Test(arguments: 0..<cases.count)
    func bothLoopOrdersGiveTheSameSpikesOutputsAndGradients(caseIndex: Int) throws {
        let c = Self.cases[caseIndex]
        // A low threshold keeps the deeper layers of these tiny, freshly initialised nets firing.
        let options = NetworkOptions(neuron: LIF(decay: 0.3, threshold: 0.1), classes: 3)
        let network = try Network(c.spec, inputShape: c.input, options: options, seed: 7)
        var g = SeededGenerator(seed: UInt64(caseIndex))
        let batch = 3
        let input =
            c.events
            ? Tensor.bernoulli([5, batch] + c.input, probability: 0.3, using: &g)
            : Tensor.uniform([batch] + c.input, low: 0, high: 1.5, using: &g)
        let labels = (0..<batch).map { $0 % network.classes }
        let byLayer = Self.run(network, input, labels: labels, order: .layer, encoding: c.encoding)
        let byTime = Self.run(network, input, labels: labels, order: .time, encoding: c.encoding)

        #expect(byLayer.spikes.keys.sorted() == network.spikingLayers.sorted())
        for (index, spikes) in byLayer.spikes {
            #expect(spikes == byTime.spikes[index], "spikes of token \(index)")
            let rate = spikes.mean()
            #expect(rate > 0.01 && rate < 0.99, "token \(index) fires at rate \(rate)")
        }
        #expect(byLayer.readout == byTime.readout)
        #expect(abs(byLayer.loss - byTime.loss) <= 1e-6 * abs(byTime.loss))
        for (name, gradient) in byLayer.gradients {
            let difference = gradient.relativeDifference(to: byTime.gradients[name]!)
            #expect(difference < 1e-5, "\(name): \(difference)")
            #expect(byTime.gradients[name]!.max() != 0 || byTime.gradients[name]!.min() != 0, "\(name) has no gradient")
        }
    }

    @Test func evaluationWithoutATapeGivesTheSameReadout() throws {
        let network = try Network("6C3-AP2-D0.5-10", inputShape: [1, 8, 8], seed: 3)
        var g = SeededGenerator(seed: 4)
        let input = Tensor.uniform([2, 1, 8, 8], using: &g)
        var g1 = SeededGenerator(seed: 5), g2 = SeededGenerator(seed: 5)
        let evaluated = network(input, options: ForwardOptions(timeSteps: 4), generator: &g1)
        let recorded = network(input, options: ForwardOptions(timeSteps: 4), tape: Tape(), generator: &g2)
        #expect(!evaluated.readout.isRecorded)
        #expect(evaluated.readout.value == recorded.readout.value)
    }
}
