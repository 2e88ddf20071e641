import STBPAutodiff
import STBPTensor
import Testing

/// `Variable.spikeConv2d` (spikes kept as bits, event-driven passes) against `conv2d`.
@Suite struct SpikeConvolutionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let shape: [Int], outChannels: Int, kernel: Int, stride: Int, padding: Int, density: Float
        var testDescription: String { "\(shape) -> \(outChannels) k\(kernel) s\(stride) p\(padding) d\(density)" }
    }

    static let cases: [Case] = [
        Case(shape: [3, 5, 7, 6], outChannels: 70, kernel: 3, stride: 1, padding: 1, density: 0),
        Case(shape: [3, 5, 7, 6], outChannels: 70, kernel: 3, stride: 1, padding: 1, density: 0.05),
        Case(shape: [2, 9, 8, 8], outChannels: 64, kernel: 3, stride: 1, padding: 1, density: 0.3),
        Case(shape: [2, 4, 9, 7], outChannels: 5, kernel: 5, stride: 2, padding: 2, density: 0.5),
        Case(shape: [4, 3, 6, 6], outChannels: 8, kernel: 1, stride: 1, padding: 0, density: 1),
    ]

    /// Loss sum(y · r), its value and the gradients of x, w and b, for one way of convolving.
    func gradients(
        _ c: Case, _ convolve: (Variable, Variable, Variable) -> Variable
    ) -> (y: Tensor, x: Tensor, w: Tensor, b: Tensor) {
        var g = SeededGenerator(seed: UInt64(c.outChannels * 31 + c.kernel))
        let xValue = Tensor.bernoulli(c.shape, probability: c.density, using: &g)
        let tape = Tape()
        let x = tape.variable(xValue)
        let w = tape.variable(Tensor.normal([c.outChannels, c.shape[1], c.kernel, c.kernel], using: &g))
        let b = tape.variable(Tensor.normal([c.outChannels], using: &g))
        let y = convolve(x, w, b)
        let r = Variable(Tensor.normal(y.shape, using: &g))
        let grads = tape.backward((y * r).sum())
        return (y.value, grads[x], grads[w], grads[b])
    }

    @Test(arguments: cases, [EventConv2DCost.Choice.event, .automatic])
    func valuesAndGradientsEqualTheDenseConvolution(_ c: Case, _ choice: EventConv2DCost.Choice) {
        let dense = gradients(c) { Variable.conv2d($0, weight: $1, bias: $2, stride: c.stride, padding: c.padding) }
        let spikes = gradients(c) {
            Variable.spikeConv2d($0, weight: $1, bias: $2, stride: c.stride, padding: c.padding, choice: choice)
        }
        #expect(spikes.y.relativeDifference(to: dense.y) < 1e-5)
        #expect(spikes.x.relativeDifference(to: dense.x) < 1e-5)
        #expect(spikes.w.relativeDifference(to: dense.w) < 1e-5)
        #expect(spikes.b.relativeDifference(to: dense.b) < 1e-5)
    }

    /// An input that is not spikes runs `conv2d` itself: the same bits.
    @Test func anInputThatIsNotSpikesRunsTheDenseConvolution() {
        var g = SeededGenerator(seed: 3)
        let x = Variable(Tensor.uniform([2, 3, 5, 5], using: &g))
        let w = Variable(Tensor.normal([4, 3, 3, 3], using: &g))
        let dense = Variable.conv2d(x, weight: w, bias: nil, stride: 1, padding: 1)
        let spikes = Variable.spikeConv2d(x, weight: w, bias: nil, stride: 1, padding: 1, choice: .event)
        #expect(spikes.value.scalars == dense.value.scalars)
    }

    /// The model picks events at low density and the dense pass at high density for the
    /// nmnist network's 384C3 layer, and a forced choice is obeyed.
    @Test func theCostModelPicksByDensity() {
        let g = Conv2DGeometry(inputShape: [160, 384, 17, 17], weightShape: [384, 384, 3, 3], stride: 1, padding: 1)
        let entries = 160 * 384 * 17 * 17
        #expect(EventConv2DCost(geometry: g, ones: entries / 50, choice: .automatic).forwardPrefersEvents)
        #expect(EventConv2DCost(geometry: g, ones: entries / 50, choice: .automatic).weightGradientPrefersEvents)
        #expect(!EventConv2DCost(geometry: g, ones: entries / 2, choice: .automatic).forwardPrefersEvents)
        #expect(!EventConv2DCost(geometry: g, ones: entries / 2, choice: .automatic).weightGradientPrefersEvents)
        #expect(!EventConv2DCost(geometry: g, ones: 0, choice: .dense).forwardPrefersEvents)
        #expect(EventConv2DCost(geometry: g, ones: entries, choice: .event).forwardPrefersEvents)
    }
}
