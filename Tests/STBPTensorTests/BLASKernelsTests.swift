import STBPTensor
import Testing

@Suite struct BLASKernelsTests {
    let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq"]

    @Test func aGenericCoreOnAnAVX512CPUBecomesSkylakeX() {
        #expect(BLASKernels.betterCore(than: "Prescott", cpuFlags: avx512) == "SkylakeX")
        #expect(BLASKernels.betterCore(than: "Core2", cpuFlags: avx512) == "SkylakeX")
    }

    @Test func aGenericCoreOnAnAVX2CPUBecomesHaswell() {
        #expect(BLASKernels.betterCore(than: "Nehalem", cpuFlags: ["avx", "avx2", "fma"]) == "Haswell")
        #expect(BLASKernels.betterCore(than: "Sandybridge", cpuFlags: ["avx", "avx2", "fma", "avx512f"]) == "Haswell")
    }

    @Test func aRecognisedCoreIsKept() {
        #expect(BLASKernels.betterCore(than: "SkylakeX", cpuFlags: avx512) == nil)
        #expect(BLASKernels.betterCore(than: "Haswell", cpuFlags: avx512) == nil)
        #expect(BLASKernels.betterCore(than: "Zen", cpuFlags: avx512) == nil)
    }

    @Test func aCPUWithoutAVX2KeepsTheGenericCore() {
        #expect(BLASKernels.betterCore(than: "Prescott", cpuFlags: ["sse3", "avx"]) == nil)
        #expect(BLASKernels.betterCore(than: "Prescott", cpuFlags: []) == nil)
    }

    #if os(Linux)
        @Test func cpuFlagsAreReadFromProcCpuinfo() {
            #expect(BLASKernels.cpuFlags().contains("sse2"))
        }
    #endif
}
