import STBPAutodiff
import STBPTensor
import Testing

@testable import STBPNetwork

/// LIF with pooling fused into its passes (what a `Sequential` of `LIF` then `AvgPool2D` runs)
/// against LIF followed by the pooling layer run apart.
@Suite struct LIFPoolingTests {
    struct Case: Sendable, CustomStringConvertible {
        let surrogate: any Surrogate
        let constant: Bool
        let kernel: Int, stride: Int
        let height: Int, width: Int
        var description: String { "\(surrogate.name) constant \(constant) AP\(kernel)s\(stride) \(height)x\(width)" }
    }

    static let cases: [Case] =
        LIFNeuronTests.surrogates.map {
            Case(surrogate: $0, constant: false, kernel: 2, stride: 2, height: 6, width: 8)
        }
        + [
            Case(surrogate: RectangularSurrogate.default, constant: true, kernel: 2, stride: 2, height: 6, width: 6),
            Case(surrogate: RectangularSurrogate.default, constant: false, kernel: 2, stride: 2, height: 7, width: 5),
            Case(surrogate: TriangularSurrogate(width: 1), constant: true, kernel: 3, stride: 2, height: 7, width: 9),
            Case(surrogate: RectangularSurrogate.default, constant: false, kernel: 2, stride: 3, height: 8, width: 8),
            Case(surrogate: RectangularSurrogate.default, constant: false, kernel: 2, stride: 2, height: 40, width: 40),
        ]

    @Test(arguments: cases)
    func poolingInsideTheLIFPassEqualsLIFThenPooling(_ c: Case) {
        var g = SeededGenerator(seed: 8)
        let (t, n, channels) = (5, 3, 4)
        let neuron = LIF(decay: 0.3, threshold: 0.4, anySurrogate: c.surrogate)
        let pool = AvgPool2D(kernelSize: c.kernel, stride: c.stride)
        let mapShape = [n, channels, c.height, c.width]
        let current = Tensor.normal(
            c.constant ? mapShape : [t] + mapShape, mean: 0.4, standardDeviation: 0.6, using: &g)

        let fusedTape = Tape()
        let fusedInput = fusedTape.variable(current)
        let series = c.constant ? TimeSeries(constant: fusedInput, timeSteps: t) : TimeSeries(steps: fusedInput)
        let fusedBlock = Sequential {
            neuron
            pool
        }
        #expect(fusedBlock.stages.count == 1 && fusedBlock.stages[0].lifPooling != nil)
        var context = ForwardContext(tape: fusedTape, isTraining: false, timeSteps: t, generator: g)
        let fused = fusedBlock.forward(series, context: &context).value
        let upstream = Tensor.normal(fused.shape, using: &g)
        let fusedGradient = fusedTape.backward((fused * Variable(upstream)).sum())[fusedInput]

        let plainTape = Tape()
        let plainInput = plainTape.variable(current)
        let plainSeries = c.constant ? TimeSeries(constant: plainInput, timeSteps: t) : TimeSeries(steps: plainInput)
        let spikes = neuron.forward(plainSeries, context: &context).value
        let pooled = spikes.reshaped([t * n, channels, c.height, c.width])
            .averagePooled(kernel: c.kernel, stride: c.stride).reshaped(fused.shape)
        let plainGradient = plainTape.backward((pooled * Variable(upstream)).sum())[plainInput]

        #expect(fused.value == pooled.value)
        #expect(fused.value.max() > 0)
        #expect(fusedGradient == plainGradient)
    }
}
