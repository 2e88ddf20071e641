import STBPAutodiff
import STBPNetwork
import STBPTensor
import Testing

/// A network whose second convolution is wide enough for Winograd F(2x2, 3x3): both loop
/// orders (T folded into the batch, and one step at a time) give the same spikes and gradients.
@Suite struct WinogradNetworkTests {
    @Test func bothLoopOrdersAgreeThroughAWinogradLayer() throws {
        let options = NetworkOptions(neuron: LIF(decay: 0.3, threshold: 0.1), classes: 3)
        let network = try Network("64C3-64C3-AP2-10", inputShape: [2, 8, 8], options: options, seed: 5)
        var g = SeededGenerator(seed: 6)
        let input = Tensor.bernoulli([4, 3, 2, 8, 8], probability: 0.3, using: &g)
        let labels = [0, 1, 2]
        func run(_ order: LoopOrder) -> (spikes: [String: Tensor], gradients: [String: Tensor]) {
            var generator = SeededGenerator(seed: 7)
            let tape = Tape()
            let output = network(
                input, options: ForwardOptions(isTraining: true, order: order, recordSpikes: true), tape: tape,
                generator: &generator)
            tape.backward(Loss.meanSquaredError(output.readout, labels: labels))
            return (
                output.spikes,
                Dictionary(uniqueKeysWithValues: network.namedParameters.map { ($0.name, $0.parameter.gradient!) })
            )
        }
        let (byLayer, byTime) = (run(.layer), run(.time))
        #expect(byLayer.spikes["1"] != nil && byLayer.spikes["1"]!.max() == 1)
        for (index, spikes) in byLayer.spikes { #expect(spikes == byTime.spikes[index], "spikes of token \(index)") }
        for (name, gradient) in byLayer.gradients {
            #expect(gradient.relativeDifference(to: byTime.gradients[name]!) < 1e-5, "\(name)")
        }
        #expect(byLayer.gradients["layers.1.weight"]!.max() != 0)
    }
}
