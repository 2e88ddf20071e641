#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Memory figures of this process.
public enum ProcessMemory {
    /// The peak resident set size so far, in megabytes (getrusage's ru_maxrss).
    public static var peakResidentMegabytes: Double {
        var usage = rusage()
        #if os(Linux)
            getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
            getrusage(RUSAGE_SELF, &usage)
        #endif
        #if os(Linux)
            return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
        #else
            return Double(usage.ru_maxrss) / (1024 * 1024)  // bytes on Darwin
        #endif
    }
}

/// A monotonic clock in seconds.
public enum MonotonicClock {
    /// Seconds since an arbitrary fixed point.
    public static var now: Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
