import STBPAutodiff
import STBPTensor
import Testing

@testable import STBPNetwork

/// Neurons written as one `update` step (ALIF, PLIF): checked against central differences with a
/// smooth spike, and run over T in both loop orders, which must agree.
@Suite struct CustomNeuronTests {
    /// Σ weights · spikes of `neuron` over a current [T, N, F], run by the framework's step loop.
    static func weightedSpikes(_ neuron: any Layer, _ current: Variable, weights: Tensor, tape: Tape?) -> Variable {
        var context = ForwardContext(
            tape: tape, isTraining: false, timeSteps: current.shape[0], generator: SeededGenerator(seed: 0))
        return (neuron.forward(TimeSeries(steps: current), context: &context).value * Variable(weights)).sum()
    }

    @Test func theAdaptiveThresholdRisesAfterEachSpike() {
        // decay 0.5, threshold 1, ρ 0.5, β 0.5, I = 1.2: u = 1.2 fires; then θ = 1.25 > u = 1.2;
        // then u = 1.8 > θ = 1.125 fires; then θ = 1.3125 > u = 1.2. Plain LIF fires every step.
        let current = Variable(Tensor(shape: [4, 1, 1], repeating: 1.2))
        let adaptive = ALIF(decay: 0.5, threshold: 1, adaptationDecay: 0.5, adaptation: 0.5)
        #expect(adaptive(current).value.scalars == [1, 0, 1, 0])
        #expect(LIF(decay: 0.5, threshold: 1)(current).value.scalars == [1, 1, 1, 1])
    }

    @Test func theAdaptiveNeuronPassesItsGradientCheck() {
        var g = SeededGenerator(seed: 1)
        let current = Tensor.normal([5, 2, 3], mean: 0.6, standardDeviation: 0.5, using: &g)
        let weights = Tensor.normal([5, 2, 3], using: &g)
        let neuron = ALIF(decay: 0.4, threshold: 0.5, adaptationDecay: 0.7, adaptation: 0.6, surrogate: SmoothSpike())
        let reports = GradientCheck.check(inputs: [current], step: 1e-2) { x in
            Self.weightedSpikes(neuron, x[0], weights: weights, tape: nil)
        }
        #expect(reports[0].worstError < 2e-3, "\(reports[0])")
    }

    /// The gradient of each of PLIF's parameters against central differences of the loss.
    @Test func theParametricNeuronsDecayAndThresholdPassTheirGradientCheck() {
        var g = SeededGenerator(seed: 2)
        let current = Tensor.normal([5, 2, 3], mean: 0.6, standardDeviation: 0.5, using: &g)
        let weights = Tensor.normal([5, 2, 3], using: &g)
        let neuron = PLIF(decay: 0.3, threshold: 0.4, surrogate: SmoothSpike())
        let tape = Tape()
        let input = tape.variable(current)
        tape.backward(Self.weightedSpikes(neuron, input, weights: weights, tape: tape))
        for (name, parameter) in neuron.parameters {
            let analytic = parameter.gradient!.scalars[0]
            let value = parameter.value
            func loss(_ delta: Float) -> Float {
                parameter.value = value + delta
                defer { parameter.value = value }
                return Self.weightedSpikes(neuron, Variable(current), weights: weights, tape: nil).value.scalar
            }
            let numeric = (loss(1e-2) - loss(-1e-2)) / 2e-2
            #expect(abs(analytic - numeric) / max(1, abs(numeric)) < 2e-3, "\(name): \(analytic) vs \(numeric)")
            #expect(analytic != 0, "\(name)")
        }
        #expect(abs(neuron.decay - 0.3) < 1e-6)
    }

    @Test func bothLoopOrdersAgreeWithAdaptiveAndParametricNeurons() throws {
        let network = try Network(inputShape: [2, 8, 8], seed: 3) {
            Conv2D(2, 6, kernelSize: 3, padding: 1)
            ALIF(decay: 0.3, threshold: 0.2)
            AvgPool2D(2)
            Dropout(0.2)
            Dense(6 * 4 * 4, 12)
            PLIF(decay: 0.3, threshold: 0.2)
            Dense(12, 3)
            LIF(decay: 0.3, threshold: 0.1)
        }
        #expect(network.parameter(named: "layers.5.decay_logit") != nil)
        var g = SeededGenerator(seed: 4)
        let input = Tensor.uniform([3, 2, 8, 8], low: 0, high: 1.5, using: &g)
        func run(_ order: LoopOrder) -> (NetworkOutput, [String: Tensor]) {
            var generator = SeededGenerator(seed: 5)
            let result = network.lossAndGradients(
                input, labels: [0, 1, 2],
                options: ForwardOptions(timeSteps: 5, isTraining: true, order: order, recordSpikes: true),
                generator: &generator)
            return (result.output, result.gradients)
        }
        let (byLayer, layerGradients) = run(.layer)
        let (byTime, timeGradients) = run(.time)
        for path in network.spikingLayers {
            let spikes = try #require(byLayer.spikes[path])
            #expect(spikes == byTime.spikes[path], "spikes of \(path)")
            #expect(spikes.mean() > 0.01 && spikes.mean() < 0.99, "\(path) fires at \(spikes.mean())")
            #expect(abs(byLayer.firingRates[path]! - spikes.mean()) < 1e-6)
        }
        #expect(byLayer.readout.value == byTime.readout.value)
        for (name, gradient) in layerGradients {
            #expect(gradient.relativeDifference(to: timeGradients[name]!) < 1e-5, "\(name)")
            #expect(gradient.max() != 0 || gradient.min() != 0, "\(name) has no gradient")
        }
    }
}
