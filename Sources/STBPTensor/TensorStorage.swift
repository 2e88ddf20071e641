/// Owns one 64-byte-aligned buffer of Float32 scalars, from `TensorMemory`.
///
/// Tensors share a storage until one of them is mutated (copy-on-write); the storage itself is
/// never mutated while shared, which is what makes the unchecked `Sendable` conformance sound.
@usableFromInline
final class TensorStorage: @unchecked Sendable {
    @usableFromInline let pointer: UnsafeMutablePointer<Float>
    @usableFromInline let count: Int

    /// Allocates `count` scalars with undefined contents.
    @usableFromInline
    init(uninitializedCount count: Int) {
        precondition(count >= 0, "A tensor cannot have a negative number of scalars (\(count)).")
        self.pointer = TensorMemory.allocate(count)
        self.count = count
    }

    /// Allocates `count` scalars set to `value`.
    @usableFromInline
    convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    /// A new storage holding the same scalars.
    @usableFromInline
    func copy() -> TensorStorage {
        let other = TensorStorage(uninitializedCount: count)
        other.pointer.update(from: pointer, count: count)
        return other
    }

    deinit {
        TensorMemory.deallocate(pointer, count: count)
    }
}
