import COpenBLAS

#if canImport(Glibc)
    import Glibc
#endif

/// Makes OpenBLAS use the fastest kernels this CPU can run, with worker threads that do not
/// compete with the package's own parallel loops.
///
/// OpenBLAS built for many CPUs (Debian's package) chooses its kernels once, in a constructor
/// that runs when the library is loaded, from the CPU model it recognises. A CPU newer than the
/// library (for example an Emerald Rapids Xeon under OpenBLAS 0.3.21) is not recognised and
/// silently gets the generic "Prescott" kernels: SSE3 only, about a quarter of the AVX-512
/// sgemm rate. The environment variable `OPENBLAS_CORETYPE` overrides the choice, but only if
/// it is set before the process starts, so the fix has to re-execute the program.
///
/// The same constructor reads `OPENBLAS_THREAD_TIMEOUT`: how long (2^n cycles, default 2^28,
/// about 0.1 s) an idle OpenBLAS worker spins on `sched_yield` before it sleeps. Between two
/// GEMMs the package runs im2col, LIF and pooling on its own threads; a spinning worker takes
/// turns with them on the same cores. With 2^4 cycles it sleeps at once (waking it costs a few
/// microseconds per GEMM): on 2 cores the nmnist step takes about 10% less time.
///
/// `ensureBestForThisCPU()` re-executes the program at most once per process tree, when there
/// is something to set (`OPENBLAS_CORETYPE` = SkylakeX or Haswell when OpenBLAS fell back to a
/// core without AVX2/FMA kernels on a CPU that has them, `OPENBLAS_THREAD_TIMEOUT` = 4 on more
/// than one processor): it sets those variables and the marker `STBP_BLAS_REEXEC`, and
/// re-executes /proc/self/exe with the process's own arguments (read from /proc/self/cmdline).
/// It never overrides a variable the user set, prints nothing unless something fails (or one
/// line on standard error when `STBP_VERBOSE` is set), and does nothing off Linux.
///
/// Call it first thing in `main`, before any work or output: the process is replaced.
public enum BLASKernels {
    /// OpenBLAS cores without AVX2/FMA kernels: what an unrecognised x86-64 CPU falls back to.
    package static let weakCores: Set<String> = [
        "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn",
        "dunnington", "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona", "nano", "sandybridge",
    ]

    /// The environment variable set on re-execution, so that it happens at most once.
    package static let markerVariable = "STBP_BLAS_REEXEC"

    /// The core to force for a CPU with `flags` (from /proc/cpuinfo) when OpenBLAS chose `core`,
    /// or nil when its choice is already the best one this rule knows.
    package static func betterCore(than core: String, cpuFlags flags: Set<String>) -> String? {
        guard weakCores.contains(core.lowercased()) else { return nil }
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq"]) { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// The flags of the first processor in /proc/cpuinfo (empty when unreadable).
    package static func cpuFlags() -> Set<String> {
        guard let text = readProcFile("/proc/cpuinfo") else { return [] }
        let decoded = String(decoding: text, as: UTF8.self)
        guard let line = decoded.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
            let colon = line.firstIndex(of: ":")
        else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// The OpenBLAS variables to set before loading it again, given the core it chose, the CPU
    /// flags, the variables already set and the number of processors: `OPENBLAS_CORETYPE` when
    /// `betterCore` finds one, `OPENBLAS_THREAD_TIMEOUT` = 4 on more than one processor. A
    /// variable already set is left alone.
    package static func loadTimeSettings(
        core: String, cpuFlags: Set<String>, environment: [String: String], processors: Int
    ) -> [(name: String, value: String)] {
        var settings: [(name: String, value: String)] = []
        if environment["OPENBLAS_CORETYPE"] == nil, let better = betterCore(than: core, cpuFlags: cpuFlags) {
            settings.append(("OPENBLAS_CORETYPE", better))
        }
        if environment["OPENBLAS_THREAD_TIMEOUT"] == nil && processors > 1 {
            settings.append(("OPENBLAS_THREAD_TIMEOUT", "4"))
        }
        return settings
    }

    /// Re-executes the process once with `OPENBLAS_CORETYPE` and `OPENBLAS_THREAD_TIMEOUT` set
    /// as described above (never overriding a value the user set); returns normally when there
    /// is nothing to set, after the re-execution, or when it fails. Linux only; elsewhere it does
    /// nothing.
    public static func ensureBestForThisCPU() {
        #if os(Linux)
            let core = ComputeThreads.blasCoreName
            if getenv(markerVariable) != nil {
                // Second run: report if a forced core did not take.
                if let wanted = getenv("OPENBLAS_CORETYPE").map({ String(cString: $0) }),
                    core.lowercased() != wanted.lowercased()
                {
                    warn("OPENBLAS_CORETYPE=\(wanted) was ignored; OpenBLAS uses the \(core) kernels.")
                }
                return
            }
            var environment: [String: String] = [:]
            for name in ["OPENBLAS_CORETYPE", "OPENBLAS_THREAD_TIMEOUT"] {
                if let value = getenv(name) { environment[name] = String(cString: value) }
            }
            let settings = loadTimeSettings(
                core: core, cpuFlags: cpuFlags(), environment: environment,
                processors: Int(openblas_get_num_procs()))
            guard !settings.isEmpty else { return }
            guard let cmdline = readProcFile("/proc/self/cmdline"), !cmdline.isEmpty else {
                warn("cannot read /proc/self/cmdline; keeping OpenBLAS's \(core) kernels.")
                return
            }
            let arguments = cmdline.split(separator: 0, omittingEmptySubsequences: false).dropLast().map {
                String(decoding: $0, as: UTF8.self)
            }
            let described = settings.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
            for setting in settings { setenv(setting.name, setting.value, 1) }
            setenv(markerVariable, "1", 1)
            if getenv("STBP_VERBOSE") != nil { warn("OpenBLAS chose \(core); re-executing with \(described).") }
            var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
            execv("/proc/self/exe", &argv)
            // Only reached when execv failed: undo, and carry on as we are.
            let reason = String(cString: strerror(errno))
            for pointer in argv { free(pointer) }
            for setting in settings { unsetenv(setting.name) }
            unsetenv(markerVariable)
            warn("re-executing with \(described) failed (\(reason)); keeping the \(core) kernels.")
        #endif
    }

    private static func warn(_ message: String) {
        #if os(Linux)
            let line = Array("stbp: \(message)\n".utf8)
            _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        #endif
    }

    /// The bytes of a /proc file (whose size stat does not report), or nil.
    private static func readProcFile(_ path: String) -> [UInt8]? {
        #if os(Linux)
            guard let file = fopen(path, "r") else { return nil }
            defer { fclose(file) }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let read = fread(&chunk, 1, chunk.count, file)
                if read <= 0 { break }
                bytes += chunk[0..<read]
            }
            return bytes
        #else
            return nil
        #endif
    }
}
