import STBPTensor
import Testing

@Suite struct ReductionTests {
    @Test(arguments: [0, 1, 15, 16, 17, 100, 4099])
    func theVectorisedSumEqualsADoubleSum(count: Int) {
        var g = SeededGenerator(seed: UInt64(count))
        let x = Tensor.normal([count], using: &g)
        let fast = x.withUnsafeBufferPointer { Reduction.sum($0.baseAddress!, count: count) }
        let exact = x.scalars.reduce(Double(0)) { $0 + Double($1) }
        #expect(abs(Double(fast) - exact) <= 1e-5 * max(1, Double(count).squareRoot()))
    }

    @Test func spikeCountsAreExact() {
        let spikes = Tensor(shape: [1000], scalars: (0..<1000).map { Float($0 % 3 == 0 ? 1 : 0) })
        #expect(spikes.withUnsafeBufferPointer { Reduction.sum($0.baseAddress!, count: 1000) } == 334)
    }
}
