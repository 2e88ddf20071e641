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

@Suite struct BLASLoadTimeSettingsTests {
    let avx512: Set<String> = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq"]

    func names(_ settings: [(name: String, value: String)]) -> [String] { settings.map { "\($0.name)=\($0.value)" } }

    @Test func aGenericCoreGetsItsBetterCoreAndAShortSpin() {
        let settings = BLASKernels.loadTimeSettings(core: "Prescott", cpuFlags: avx512, environment: [:], processors: 2)
        #expect(names(settings) == ["OPENBLAS_CORETYPE=SkylakeX", "OPENBLAS_THREAD_TIMEOUT=4"])
    }

    @Test func theUsersVariablesAreNeverOverridden() {
        let user = ["OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_THREAD_TIMEOUT": "28"]
        #expect(
            BLASKernels.loadTimeSettings(core: "Prescott", cpuFlags: avx512, environment: user, processors: 2).isEmpty)
    }

    @Test func oneProcessorNeedsNoTimeoutAndARecognisedCoreNothing() {
        #expect(
            BLASKernels.loadTimeSettings(core: "SkylakeX", cpuFlags: avx512, environment: [:], processors: 1).isEmpty)
        let settings = BLASKernels.loadTimeSettings(core: "Haswell", cpuFlags: avx512, environment: [:], processors: 8)
        #expect(names(settings) == ["OPENBLAS_THREAD_TIMEOUT=4"])
    }
}
