#if canImport(Glibc)
    import Glibc
#endif

/// Lets a training loop reuse the memory of the previous step's tensors.
///
/// glibc's malloc maps every block above 32 MB with mmap and unmaps it on free. In a conv
/// network most activations, gradients and im2col buffers are that large, so every step gets
/// fresh pages: a page fault and a kernel zero-fill per 4 KB, and on free a TLB shootdown on
/// every core. On 2 cores that was about 15% of the nmnist training step.
///
/// This is a process-wide setting of the C allocator, so the library never makes it on its own:
/// programs that train (stbp bench, the trainer) call it once, and it is documented in
/// Docs/Performance.md. The package itself keeps no state for it.
public enum TensorMemory {
    /// Makes glibc serve large blocks from its heap instead of fresh mmap regions
    /// (`M_MMAP_MAX` = 0) and keep freed heap memory instead of returning it to the system
    /// (`M_TRIM_THRESHOLD` = -1), so the next step reuses it without page faults.
    ///
    /// The cost is memory: the resident size stays at its peak, and fragmentation of the heap
    /// can raise that peak (nmnist: about 1.1 GB -> 1.5 GB; PyTorch needs 2.5 GB). Calling it
    /// again changes nothing. Does nothing where the C library is not glibc.
    public static func keepFreedMemory() {
        #if os(Linux)
            // mallopt is declared in <malloc.h>, which the Glibc module does not export.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            let (trimThreshold, mmapMax): (Int32, Int32) = (-1, -4)  // M_TRIM_THRESHOLD, M_MMAP_MAX
            _ = mallopt(mmapMax, 0)
            _ = mallopt(trimThreshold, -1)
        #endif
    }
}
