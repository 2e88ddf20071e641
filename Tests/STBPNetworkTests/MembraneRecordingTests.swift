import STBPAutodiff
import STBPNetwork
import STBPTensor
import Testing

/// `ForwardOptions.recordMembranes`: the membrane potentials and thresholds neurons report,
/// the same in both loop orders, and a pass that records them gives the numbers of one that does not.
@Suite struct MembraneRecordingTests {
    @Test func aLIFLayerReportsItsPotentialBeforeTheReset() {
        // decay 0.5, threshold 1, I = 0.6: u = 0.6, 0.9, 1.05 (fires), then 0.6 after the reset.
        var context = ForwardContext(
            tape: nil, isTraining: false, timeSteps: 4, generator: SeededGenerator(seed: 0), recordMembranes: true)
        let current = TimeSeries(constant: Variable(Tensor(shape: [1, 1], repeating: 0.6)), timeSteps: 4)
        let spikes = LIF(decay: 0.5, threshold: 1).forward(current, context: &context).expanded()
        #expect(spikes.value.scalars == [0, 0, 1, 0])
        let trace = try! #require(context.membranes[""])
        #expect(trace.potentials.shape == [4, 1, 1])
        let expected: [Float] = [0.6, 0.9, 1.05, 0.6]
        #expect(zip(trace.potentials.scalars, expected).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(trace.thresholds?.scalars == [1, 1, 1, 1])
    }

    @Test func theAdaptiveThresholdIsReportedPerStep() {
        // As in CustomNeuronTests: θ = 1, 1.25, 1.125, 1.3125 as the neuron fires at steps 0 and 2.
        var context = ForwardContext(
            tape: nil, isTraining: false, timeSteps: 4, generator: SeededGenerator(seed: 0), recordMembranes: true)
        let neuron = ALIF(decay: 0.5, threshold: 1, adaptationDecay: 0.5, adaptation: 0.5)
        _ = neuron.forward(TimeSeries(steps: Variable(Tensor(shape: [4, 1, 1], repeating: 1.2))), context: &context)
        let thresholds = try! #require(context.membranes[""]?.thresholds).scalars
        #expect(
            zip(thresholds, [1, 1.25, 1.125, 1.3125] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 }, "\(thresholds)")
    }

    @Test func bothLoopOrdersRecordTheSameMembranesWithoutChangingTheOutput() throws {
        let network = try Network(inputShape: [1, 4, 4], seed: 3) {
            Conv2D(1, 2, kernelSize: 3, padding: 1)
            LIF(decay: 0.3, threshold: 0.2)
            AvgPool2D(2)
            Dense(2 * 2 * 2, 5)
            ALIF(decay: 0.3, threshold: 0.1)
            Dense(5, 3)
            PLIF(decay: 0.3, threshold: 0.1)
        }
        var g = SeededGenerator(seed: 4)
        let input = Tensor.uniform([2, 1, 4, 4], low: 0, high: 1.5, using: &g)
        func run(_ order: LoopOrder, membranes: Bool) -> NetworkOutput {
            var generator = SeededGenerator(seed: 5)
            return network(
                input,
                options: ForwardOptions(timeSteps: 4, order: order, recordSpikes: true, recordMembranes: membranes),
                generator: &generator)
        }
        let plain = run(.layer, membranes: false)
        #expect(plain.membranes.isEmpty)
        let byLayer = run(.layer, membranes: true), byTime = run(.time, membranes: true)
        #expect(byLayer.readout.value == plain.readout.value && byLayer.spikes == plain.spikes)
        #expect(byTime.readout.value == plain.readout.value && byTime.spikes == plain.spikes)
        #expect(byLayer.membranes.keys.sorted() == network.spikingLayers.sorted())
        for path in network.spikingLayers {
            let a = try #require(byLayer.membranes[path]), b = try #require(byTime.membranes[path])
            let spikes = try #require(plain.spikes[path])
            #expect(a.potentials.shape == spikes.shape && a.thresholds?.shape == spikes.shape)
            #expect(a.potentials.relativeDifference(to: b.potentials) < 1e-6, "\(path)")
            #expect(a.thresholds == b.thresholds, "\(path)")
            // Each spike is a potential above its threshold, and only those.
            let thresholds = try #require(a.thresholds)
            for i in 0..<spikes.count {
                #expect((spikes[flat: i] > 0) == (a.potentials[flat: i] > thresholds[flat: i]), "\(path) \(i)")
            }
        }
    }

    @Test func aNeuronWithoutAMembraneReportsNone() {
        struct Spiky: Neuron {
            func update(_ current: Variable, state: Int?, context: ForwardContext) -> (spikes: Variable, state: Int) {
                (Variable.spike(current, threshold: 0.5, surrogate: RectangularSurrogate(width: 1)), 0)
            }
        }
        var context = ForwardContext(
            tape: nil, isTraining: false, timeSteps: 2, generator: SeededGenerator(seed: 0), recordMembranes: true)
        _ = Spiky().forward(TimeSeries(steps: Variable(Tensor(shape: [2, 1, 3], repeating: 1))), context: &context)
        #expect(context.membranes.isEmpty)
    }
}
