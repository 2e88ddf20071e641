import STBPTensor
import Testing

@Suite struct TensorMemoryTests {
    @Test func keepingFreedMemoryLeavesLargeTensorsWorking() {
        TensorMemory.keepFreedMemory()
        TensorMemory.keepFreedMemory()
        for round in 0..<3 {
            // 48 MB: above glibc's largest mmap threshold, so from the heap after the call.
            let large = Tensor(shape: [12 << 20], repeating: Float(round))
            #expect(large[flat: (12 << 20) - 1] == Float(round))
        }
    }
}
