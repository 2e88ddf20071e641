import Foundation
import STBPAutodiff
import STBPNetwork
import STBPTensor
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct LIFNeuronTests {
    static let surrogates: [any Surrogate] = [
        .rectangular(width: 1), .triangular(width: 1), .sigmoid(width: 0.25), .gaussian(width: 0.25), .arctan(width: 1),
    ]

    @Test func theNeuronIntegratesLeaksFiresAndResets() {
        // decay 0.5, threshold 1: u = 0.6, 0.3 + 0.6 = 0.9, 0.45 + 0.6 = 1.05 (fires), 0 + 0.6 (reset).
        let neuron = LIF(decay: 0.5, threshold: 1)
        let spikes = neuron(Variable(Tensor(shape: [4, 1, 1], repeating: 0.6)))
        #expect(spikes.value.scalars == [0, 0, 1, 0])
    }

    @Test func firingIsStrictlyAboveTheThreshold() {
        let spikes = LIF(threshold: 0.5)(Variable(Tensor(shape: [1, 1, 2], scalars: [0.5, 0.50001])))
        #expect(spikes.value.scalars == [0, 1])
    }

    /// The fused one-op LIF against the same recurrence built step by step from tape primitives.
    func compareWithSteps(_ neuron: LIF, constant: Bool, seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        let (t, n) = (6, 40)
        let current = Tensor.normal(constant ? [n] : [t, n], mean: 0.4, standardDeviation: 0.6, using: &g)
        let upstream = Tensor.normal([t, n], using: &g)

        let fusedTape = Tape()
        let fusedInput = fusedTape.variable(current)
        var context = ForwardContext(tape: fusedTape, isTraining: false, timeSteps: t, generator: g)
        let series = constant ? TimeSeries(constant: fusedInput, timeSteps: t) : TimeSeries(steps: fusedInput)
        let fused = neuron.forward(series, context: &context).value
        let fusedGradient = fusedTape.backward((fused * Variable(upstream)).sum())[fusedInput]

        let stepTape = Tape()
        let stepInput = stepTape.variable(current)
        var state: LIF.State?
        let steps = (0..<t).map { step in
            let (spikes, next) = neuron.update(constant ? stepInput : stepInput[step], state: state, context: context)
            state = next
            return spikes
        }
        let stepped = Variable.stacked(steps)
        let stepGradient = stepTape.backward((stepped * Variable(upstream)).sum())[stepInput]

        #expect(fused.value == stepped.value)
        #expect(fused.value.sum() > 0 && fused.value.sum() < Float(t * n))
        #expect(fusedGradient.relativeDifference(to: stepGradient) < 1e-5)
    }

    @Test(arguments: surrogates)
    func theFusedPassEqualsTheStepByStepRecurrence(surrogate: any Surrogate) {
        compareWithSteps(LIF(decay: 0.2, threshold: 0.5, anySurrogate: surrogate), constant: false, seed: 1)
        compareWithSteps(
            LIF(decay: 0.2, threshold: 0.5, anySurrogate: surrogate, detachReset: true), constant: false, seed: 2)
    }

    @Test func aConstantCurrentGivesTheSameSpikesAndSummedGradient() {
        compareWithSteps(LIF(), constant: true, seed: 3)
        compareWithSteps(LIF(decay: 0.25, threshold: 0.75, detachReset: true), constant: true, seed: 4)
    }

    @Test func detachingTheResetChangesTheGradient() {
        var g = SeededGenerator(seed: 5)
        let current = Tensor.normal([6, 1, 50], mean: 0.5, using: &g)
        func gradient(_ neuron: LIF) -> Tensor {
            let tape = Tape()
            let x = tape.variable(current)
            return tape.backward(neuron(x, tape: tape).sum())[x]
        }
        #expect(gradient(LIF()) != gradient(LIF(detachReset: true)))
    }

    @Test func theBackwardPassFollowsTheSTBPRecurrenceByHand() {
        // One neuron, T = 2, decay k = 0.2, threshold 0.5, rectangle width 1; I = [0.6, 0.1].
        // u1 = 0.6 (fires), u2 = 0.2 * 0.6 * 0 + 0.1 = 0.1. g = [1, 1].
        // δ2 = g2 · h(0.1) = 1 · 1 (|0.1 - 0.5| < 0.5) = 1.
        // δ1 = (g1 - k·u1·δ2)·h(0.6) + k·(1 - o1)·δ2 = (1 - 0.12)·1 + 0 = 0.88.
        let tape = Tape()
        let x = tape.variable(Tensor(shape: [2, 1, 1], scalars: [0.6, 0.1]))
        let gradient = tape.backward(LIF()(x, tape: tape).sum())[x]
        #expect(abs(gradient.scalars[0] - 0.88) < 1e-6 && gradient.scalars[1] == 1)
    }
}

@Suite struct SurrogateTests {
    @Test(arguments: LIFNeuronTests.surrogates)
    func everySurrogateHasAreaOneAndPeaksAtTheThreshold(surrogate: any Surrogate) {
        let step: Float = 1e-3
        var area: Float = 0
        for i in -20000...20000 { area += surrogate.derivative(at: Float(i) * step) * step }
        // Over [-20, 20] the arctan curve's heavy tails leave out 1 - (2/π)·atan(20π/a) of its area.
        var expected: Float = 1
        if surrogate is ArctanSurrogate { expected = 2 / Float.pi * atan(20 * Float.pi / surrogate.width) }
        #expect(abs(area - expected) < 2e-3)
        #expect(surrogate.derivative(at: 0) >= surrogate.derivative(at: 0.1))
        #expect(surrogate.derivative(at: 0.1) == surrogate.derivative(at: -0.1))
        #expect(surrogate.spike(at: 0) == 0 && surrogate.spike(at: 1e-6) == 1 && surrogate.firesBinarySpikes)
    }

    @Test func theRectangleOfWidthOneIsTheReferenceCodesWindow() {
        let h = RectangularSurrogate.default
        #expect(h.derivative(at: 0.49) == 1 && h.derivative(at: 0.5) == 0 && h.derivative(at: -0.51) == 0)
        #expect(SurrogateCatalog.surrogate(named: "gaussian", width: 0.3)!.isSame(as: GaussianSurrogate(width: 0.3)))
        #expect(SurrogateCatalog.surrogate(named: "square", width: 1) == nil)
    }

    @Test func aNeuronsSurrogateSurvivesItsConfiguration() throws {
        let neuron = LIF(decay: 0.3, threshold: 0.7, surrogate: .arctan(width: 2), detachReset: true)
        let data = try JSONEncoder().encode(neuron)
        #expect(String(decoding: data, as: UTF8.self).contains("\"arctan\":{\"width\":2}"))
        #expect(try JSONDecoder().decode(LIF.self, from: data) == neuron)
        let old = #"{"decay":0.2,"threshold":0.5,"surrogate":{"rectangular":{"width":1}},"detachReset":false}"#
        #expect(try JSONDecoder().decode(LIF.self, from: Data(old.utf8)) == LIF())
        let custom = #"{"decay":0.2,"threshold":0.5,"surrogate":{"mine":{"width":1}},"detachReset":false}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(LIF.self, from: Data(custom.utf8)) }
    }
}
