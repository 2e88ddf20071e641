import Testing

@testable import STBPTensor

@Suite struct TensorMemoryTests {
    @Test func freedLargeTensorsAreKeptForTheNextOnes() {
        for round in 0..<3 {
            // 48 MB: a mapped block, kept between rounds without any call.
            let large = Tensor(shape: [12 << 20], repeating: Float(round))
            #expect(large[flat: (12 << 20) - 1] == Float(round))
            #expect(large[flat: 0] == Float(round))
        }
        #expect(TensorMemory.keptBytes >= BlockCache.classSize(48 << 20))
        // Setting the limit again keeps what is kept.
        TensorMemory.keepFreedMemory()
        #expect(TensorMemory.keptBytes >= BlockCache.classSize(48 << 20))
    }

    @Test func smallAndLargeRequestsAreAlignedAndUsable() {
        for count in [
            0, 1, 17, 1000, (TensorMemory.largeBlockBytes / 4) - 1, TensorMemory.largeBlockBytes / 4, 3 << 20,
        ] {
            let pointer = TensorMemory.allocate(count)
            #expect(Int(bitPattern: pointer) % 64 == 0)
            pointer.initialize(repeating: 1, count: count)
            #expect(count == 0 || pointer[count - 1] == 1)
            TensorMemory.deallocate(pointer, count: count)
        }
    }

    @Test func scratchBuffersShareOneSizeClass() {
        let (small, large) = (ScratchBuffer(1000), ScratchBuffer(TensorMemory.scratchCount - 1))
        #expect(small.count == large.count)
        #expect(BlockCache.classSize(small.count * 4) == BlockCache.classSize(TensorMemory.scratchCount * 4))
        small.release()
        large.release()
        let huge = ScratchBuffer(TensorMemory.scratchCount + 5)
        #expect(huge.count == TensorMemory.scratchCount + 5)
        huge.release()
    }
}
