import STBPAutodiff
import STBPNetwork
import STBPTensor
import Testing

@testable import STBPNIR

/// `NIRNeuron` against the fused `LIF` it generalises, and its resets against a hand computation.
@Suite struct NIRNeuronTests {
    func run(_ layer: any Layer, _ input: Tensor, order: LoopOrder) -> (output: Tensor, gradient: Tensor) {
        let network = try! Network(inputShape: [input.shape[2]], layers: Sequential([layer]))
        let tape = Tape()
        let parameter = Parameter(input)
        let x = tape.watch(parameter)
        var context = ForwardContext(
            tape: tape, isTraining: true, timeSteps: input.shape[0], generator: SeededGenerator(seed: 0))
        let output: Variable
        switch order {
        case .layer: output = network.layers.forward(TimeSeries(steps: x), context: &context).expanded()
        case .time:
            var state = LayerState()
            var steps: [Variable] = []
            for t in 0..<input.shape[0] {
                steps.append(network.layers.step(x[t], state: &state, context: &context))
                state.step += 1
            }
            output = Variable.stacked(steps)
        }
        // A loss that weighs every output differently, so that every gradient entry matters.
        let weights = Tensor(shape: output.shape, scalars: (0..<output.value.count).map { Float($0 % 7) - 3 })
        _ = tape.backward((output * Variable(weights)).sum())
        return (output.value, parameter.gradient ?? Tensor(zeros: input.shape))
    }

    @Test(arguments: LoopOrder.allCases)
    func withLIFsParametersItIsLIF(order: LoopOrder) {
        let input = randomInput([5, 3, 8], seed: 4) * 1.2
        let lif = LIF(decay: 0.3, threshold: 0.4)
        let general = NIRNeuron(
            decay: Tensor([0.3]), leak: Tensor([0]), gain: Tensor([1]), threshold: Tensor([0.4]),
            resetValue: Tensor([0]))
        let (a, b) = (run(lif, input, order: order), run(general, input, order: order))
        #expect(a.output.scalars == b.output.scalars)
        #expect(zip(a.gradient.scalars, b.gradient.scalars).allSatisfy { abs($0 - $1) <= 1e-5 })
    }

    @Test func resetsToAValueOrBySubtractionAsNIRStates() {
        // One neuron, k = 0.5, leak term 0.1, gain 2, threshold 1, reset to -0.5 (or subtract 1).
        let input = Tensor(shape: [4, 1, 1], scalars: [0.6, 0.1, 0.5, 0.0])
        func neuron(_ reset: NIRNeuron.Reset) -> NIRNeuron {
            NIRNeuron(
                decay: Tensor([0.5]), leak: Tensor([0.1]), gain: Tensor([2]), threshold: Tensor([1]),
                resetValue: Tensor([-0.5]), reset: reset)
        }
        // u0 = 2·0.6 + 0.1 = 1.3 (spike); to value: u1 = 0.5·(-0.5) + 0.1 + 0.2 = 0.05;
        // u2 = 0.5·0.05 + 0.1 + 1.0 = 1.125 (spike); u3 = 0.5·(-0.5) + 0.1 = -0.15.
        let toValue = run(neuron(.toValue), input, order: .time).output
        #expect(toValue.scalars == [1, 0, 1, 0])
        // Subtracting: u1 = 0.5·0.3 + 0.3 = 0.45; u2 = 0.5·0.45 + 1.1 = 1.325 (spike); u3 = 0.5·0.325 + 0.1.
        let subtract = run(neuron(.subtract), input, order: .layer).output
        #expect(subtract.scalars == [1, 0, 1, 0])
        let context = ForwardContext(tape: nil, isTraining: false, timeSteps: 4, generator: SeededGenerator(seed: 0))
        var state: NIRNeuron.State?
        var membranes: [Float] = []
        for t in 0..<4 {
            let (_, next) = neuron(.subtract).update(Variable(input[t]), state: state, context: context)
            state = next
            membranes.append(next.membrane.value.scalars[0])
        }
        let expected: [Float] = [1.3, 0.45, 1.325, 0.2625]
        #expect(zip(membranes, expected).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(membranes)")
    }

    @Test func scaleAndThresholdPassGradients() {
        let input = randomInput([3, 2, 4], seed: 1)
        let scale = run(Scale(Tensor(shape: [4], scalars: [1, -2, 0.5, 3])), input, order: .layer)
        #expect(
            scale.output.scalars
                == zip(input.scalars, (0..<input.count).map { [1, -2, 0.5, 3][$0 % 4] as Float }).map { $0 * $1 })
        let gradients = scale.gradient.scalars
        #expect(gradients[1] == -2 * (Float(1 % 7) - 3))
        let threshold = run(Threshold(Tensor([0.5])), input, order: .time)
        #expect(threshold.output.scalars == input.scalars.map { $0 > 0.5 ? 1 : 0 })
    }
}
