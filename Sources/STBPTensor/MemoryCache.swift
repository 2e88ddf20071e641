/// The memory the package keeps after tensors free it, for the next training step to reuse.
///
/// Freed blocks of 1 MB and more are kept, per size class, within twice the most that was ever
/// live at once and a quarter of physical memory (as PyTorch's caching allocators keep freed
/// memory), so that a training loop does not map, fault and zero fresh pages every step. A
/// program that builds many networks of different sizes one after another (a search, a fuzzer)
/// or needs the memory back for something else can release it.
public enum MemoryCache {
    /// The bytes of freed blocks kept for reuse now.
    public static var keptBytes: Int { TensorMemory.keptBytes }

    /// Gives every kept block back to the system and keeps none from now on (until `keep`).
    public static func release() { TensorMemory.releaseFreedMemory() }

    /// Keeps freed blocks again, up to `limit` bytes (a quarter of physical memory when nil).
    public static func keep(upTo limit: Int? = nil) { TensorMemory.keepFreedMemory(upTo: limit) }
}
