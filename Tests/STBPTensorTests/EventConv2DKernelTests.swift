import STBPTensor
import Testing

/// The event-driven convolution and the bit-packed spikes against the slow, obvious loops.
@Suite struct EventConv2DKernelTests {
    static let densities: [Float] = [0, 0.01, 0.05, 0.2, 0.5, 1]

    /// The forward pass in the event kernel's order, over every input (ones and zeros): each
    /// output starts at its bias and adds w[o, c, ky, kx] for the ones, taps first, then
    /// channels ascending. With additions only, the event kernel must give the same bits.
    func inOrderReference(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: Int, padding: Int) -> Tensor {
        let g = Conv2DGeometry(inputShape: x.shape, weightShape: w.shape, stride: stride, padding: padding)
        var y = Tensor(zeros: g.outputShape)
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        var total = b?[o] ?? 0
                        for ky in 0..<g.kernelHeight {
                            let iy = oy * stride - padding + ky
                            guard iy >= 0 && iy < g.height else { continue }
                            for kx in 0..<g.kernelWidth {
                                let ix = ox * stride - padding + kx
                                guard ix >= 0 && ix < g.width else { continue }
                                for c in 0..<g.inChannels where x[n, c, iy, ix] == 1 { total += w[o, c, ky, kx] }
                            }
                        }
                        y[n, o, oy, ox] = total
                    }
                }
            }
        }
        return y
    }

    @Test(arguments: ConvCase.grid + ConvCase.wideKernels)
    func theForwardPassAndWeightGradientEqualTheLoops(_ c: ConvCase) throws {
        // Each case at one density, the grid's cases spread over all of them.
        let index = (c.channels + c.kernel + c.stride + c.padding + c.outChannels) % Self.densities.count
        do {
            let density = Self.densities[index]
            var g = SeededGenerator(seed: UInt64(c.channels * 1000 + c.kernel * 10 + c.stride + index * 7))
            let x = Tensor.bernoulli(
                [c.batch, c.channels, c.height, c.width], probability: density, using: &g)
            let w = Tensor.normal([c.outChannels, c.channels, c.kernel, c.kernel], using: &g)
            let b = Tensor.normal([c.outChannels], using: &g)
            let events = EventConv2DKernel.forward(spikes: x, weight: w, bias: b, stride: c.stride, padding: c.padding)
            let ordered = inOrderReference(x, w, b, stride: c.stride, padding: c.padding)
            #expect(events.scalars == ordered.scalars, "density \(density)")
            let naive = NaiveConv2DKernel.forward(input: x, weight: w, bias: b, stride: c.stride, padding: c.padding)
            #expect(events.relativeDifference(to: naive) < 1e-5, "density \(density)")

            let dy = Tensor.normal(naive.shape, using: &g)
            let bits = try #require(SpikeBits(x))
            let dw = EventConv2DKernel.weightGradient(
                gradOutput: dy, spikes: bits, weightShape: w.shape, stride: c.stride, padding: c.padding)
            let slow = NaiveConv2DKernel.backward(
                gradOutput: dy, input: x, weight: w, stride: c.stride, padding: c.padding)
            #expect(dw.relativeDifference(to: slow.weight) < 1e-5, "density \(density)")
        }
    }

    /// Output channels that fill no, one and several 64-wide register blocks with a tail, and
    /// a batch that several threads share.
    @Test(arguments: [1, 63, 64, 65, 130, 200])
    func everyOutputWidthAndTailIsCovered(_ outChannels: Int) throws {
        var g = SeededGenerator(seed: UInt64(outChannels))
        let x = Tensor.bernoulli([5, 7, 6, 5], probability: 0.3, using: &g)
        let w = Tensor.normal([outChannels, 7, 3, 3], using: &g)
        let b = Tensor.normal([outChannels], using: &g)
        let events = EventConv2DKernel.forward(spikes: x, weight: w, bias: b, stride: 1, padding: 1)
        #expect(events.scalars == inOrderReference(x, w, b, stride: 1, padding: 1).scalars)
        let dy = Tensor.normal(events.shape, using: &g)
        let dw = EventConv2DKernel.weightGradient(
            gradOutput: dy, spikes: try #require(SpikeBits(x)), weightShape: w.shape, stride: 1, padding: 1)
        let slow = NaiveConv2DKernel.backward(gradOutput: dy, input: x, weight: w, stride: 1, padding: 1)
        #expect(dw.relativeDifference(to: slow.weight) < 1e-5)
        // Without a bias, the sums start at 0.
        let unbiased = EventConv2DKernel.forward(spikes: x, weight: w, bias: nil, stride: 1, padding: 1)
        #expect(unbiased.scalars == inOrderReference(x, w, nil, stride: 1, padding: 1).scalars)
    }

    /// Sizes around a word, and one past the 2^20 scalars that one thread packs at a time.
    @Test(arguments: [0, 1, 63, 64, 65, 127, 129, 5000, 1 << 20 | 77])
    func spikesComeBackFromBitsBitForBit(_ count: Int) throws {
        for density in count > 5000 ? [0.3] : Self.densities {
            var g = SeededGenerator(seed: UInt64(count) &+ UInt64(density * 100))
            let x = Tensor.bernoulli([count], probability: density, using: &g)
            let bits = try #require(SpikeBits(x))
            #expect(bits.count == x.scalars.filter { $0 == 1 }.count)
            #expect(bits.tensor.scalars.map(\.bitPattern) == x.scalars.map(\.bitPattern))
            #expect(bits.byteCount == (count + 63) / 64 * 8)
        }
    }

    @Test(arguments: [Float(0.5), -0.0, .nan, 2, -1, .infinity])
    func aTensorThatIsNotSpikesIsNotPacked(_ odd: Float) {
        var scalars = [Float](repeating: 0, count: 200)
        scalars[3] = 1
        scalars[131] = odd
        #expect(SpikeBits(Tensor(shape: [200], scalars: scalars)) == nil)
    }
}
