#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where tensors and the kernels' scratch buffers get their memory, and how the next training
/// step reuses the memory of the previous one.
///
/// Blocks of `largeBlockBytes` and more are mapped from the system one by one (`BlockCache`);
/// smaller ones come from malloc. A freed large block is kept for the next request of its size
/// class instead of being unmapped: in a conv network most activations, gradients and im2col
/// buffers are that large, and fresh pages every step would cost a page fault and a kernel
/// zero-fill per 4 KB, and on free a TLB shootdown on every core (about 15% of the nmnist
/// training step on 2 cores). Kept and live blocks together stay within twice the most that
/// was ever live at once, and the kept ones within `keepFreedMemory(upTo:)`'s limit (a quarter
/// of physical memory unless set); `releaseFreedMemory()` gives them back to the system.
///
/// Like PyTorch's caching allocators, this holds on to memory the program has freed; it only
/// ever holds blocks that tensors and kernels of this package used.
package enum TensorMemory {
    /// Blocks at least this large are mapped and may be kept; smaller ones come from malloc.
    package static let largeBlockBytes = 1 << 20

    static let cache = BlockCache(capacity: defaultLimit)

    /// What the kernels' large scratch buffers (im2col columns, Winograd transforms) round up
    /// to, in floats (32 MB, their chunk budget): every layer's buffers then fall in one size
    /// class and reuse the same kept blocks. Pages a layer does not touch take no memory.
    static let scratchCount = (8 << 20) + 16

    /// Keeps freed large blocks, up to `limit` bytes (default: a quarter of physical memory),
    /// for later requests of the same size, the longest-kept unmapped first past the limit.
    /// This is the default from the start; call it to set another limit, or to keep blocks
    /// again after `releaseFreedMemory()`.
    ///
    /// After the first step of a training loop every request finds a block of its size, so the
    /// resident size stays at what a step needs at once plus what it kept; unlike a heap it
    /// does not fragment.
    package static func keepFreedMemory(upTo limit: Int? = nil) {
        cache.setCapacity(limit ?? defaultLimit)
    }

    /// Unmaps every kept block and stops keeping freed ones.
    package static func releaseFreedMemory() {
        cache.setCapacity(0)
    }

    /// The bytes of freed blocks held for reuse.
    package static var keptBytes: Int { cache.cachedBytes }

    /// A quarter of physical memory, or 1 GB if it cannot be read.
    static var defaultLimit: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && pageSize > 0 ? pages * pageSize / 4 : 1 << 30
    }

    /// Room for `count` floats, 64-byte aligned, with undefined contents; give it back with
    /// `deallocate(_:count:)` and the same count.
    package static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let bytes = byteCount(count)
        let raw =
            bytes >= largeBlockBytes
            ? cache.allocate(bytes: bytes)
            : UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Gives back what `allocate(count)` returned.
    package static func deallocate(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let bytes = byteCount(count)
        if bytes >= largeBlockBytes {
            cache.deallocate(UnsafeMutableRawPointer(pointer), bytes: bytes)
        } else {
            UnsafeMutableRawPointer(pointer).deallocate()
        }
    }

    /// The bytes behind `count` floats (at least one, so that every pointer is distinct).
    private static func byteCount(_ count: Int) -> Int { max(count, 1) * MemoryLayout<Float>.stride }
}

/// A kernel's scratch buffer from `TensorMemory`: at least `count` floats, rounded up to
/// `TensorMemory.scratchCount` so that every layer reuses the same kept blocks. Give it back
/// with `release()`.
struct ScratchBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(_ count: Int) {
        self.count = max(count, TensorMemory.scratchCount)
        pointer = TensorMemory.allocate(self.count)
    }

    func release() { TensorMemory.deallocate(pointer, count: count) }
}
