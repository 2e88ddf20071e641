/// A dense, row-major array of Float32 scalars with a shape, stored contiguously and copied on
/// write.
///
/// `Tensor` is a value: assigning it shares the storage, and the first mutation of a shared
/// tensor copies it. Shapes follow PyTorch: `[N, C, H, W]` images, `[T, N, C, H, W]`
/// time-major sequences, `[out, in]` dense weights.
public struct Tensor: Sendable {
    /// The extent of each axis, outermost first.
    public private(set) var shape: [Int]
    @usableFromInline var storage: TensorStorage

    /// The number of scalars, the product of `shape`.
    @inlinable public var count: Int { storage.count }
    /// The number of axes.
    @inlinable public var rank: Int { shape.count }

    @usableFromInline
    init(shape: [Int], storage: TensorStorage) {
        precondition(
            shape.reduce(1, *) == storage.count,
            "Shape \(shape) does not hold \(storage.count) scalars.")
        self.shape = shape
        self.storage = storage
    }

    /// A tensor of `shape` whose scalars are all `value`.
    public init(shape: [Int], repeating value: Float) {
        Tensor.checkShape(shape)
        self.init(shape: shape, storage: TensorStorage(count: shape.reduce(1, *), repeating: value))
    }

    /// A tensor of `shape` filled with zeros.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, repeating: 0)
    }

    /// A tensor of `shape` holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        Tensor.checkShape(shape)
        precondition(
            shape.reduce(1, *) == scalars.count,
            "Shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count).")
        let storage = TensorStorage(uninitializedCount: scalars.count)
        scalars.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { storage.pointer.initialize(from: base, count: source.count) }
        }
        self.init(shape: shape, storage: storage)
    }

    /// A rank-1 tensor holding `scalars`.
    public init(_ scalars: [Float]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// A rank-0 tensor holding one scalar.
    public init(scalar: Float) {
        self.init(shape: [], scalars: [scalar])
    }

    /// A tensor of `shape` whose scalars `body` writes; every scalar must be written.
    @inlinable
    public init(
        shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) throws -> Void
    ) rethrows {
        Tensor.checkShape(shape)
        let storage = TensorStorage(uninitializedCount: shape.reduce(1, *))
        try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
        self.init(shape: shape, storage: storage)
    }

    @usableFromInline
    static func checkShape(_ shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Shape \(shape) has a negative extent.")
    }

    /// The scalars in row-major order.
    public var scalars: [Float] {
        withUnsafeBufferPointer { Array($0) }
    }

    /// The only scalar of a tensor with one element.
    public var scalar: Float {
        precondition(count == 1, "A tensor of shape \(shape) has no single scalar.")
        return storage.pointer[0]
    }

    /// Calls `body` with the scalars, read-only.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) {
            try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
        }
    }

    /// Calls `body` with the scalars, writable; copies them first if the storage is shared.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try withExtendedLifetime(storage) {
            try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
        }
    }

    /// The same scalars seen with another shape of the same count; one extent may be -1 (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: Tensor.resolve(newShape, count: count, from: shape), storage: storage)
    }

    /// Resolves a -1 extent and checks that `newShape` holds `count` scalars.
    static func resolve(_ newShape: [Int], count: Int, from oldShape: [Int]) -> [Int] {
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        precondition(unknown.count <= 1, "Cannot reshape \(oldShape) to \(newShape): more than one -1.")
        var resolved = newShape
        if let axis = unknown.first {
            let known = newShape.enumerated().filter { $0.offset != axis }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "Cannot reshape \(oldShape) to \(newShape).")
            resolved[axis] = count / known
        }
        precondition(
            resolved.allSatisfy { $0 >= 0 } && resolved.reduce(1, *) == count,
            "Cannot reshape \(oldShape) (\(count) scalars) to \(newShape).")
        return resolved
    }

    /// The flat row-major offset of a multi-index.
    func offset(of index: [Int]) -> Int {
        precondition(index.count == rank, "Index \(index) does not fit shape \(shape).")
        var offset = 0
        for axis in 0..<rank {
            precondition(index[axis] >= 0 && index[axis] < shape[axis], "Index \(index) is outside shape \(shape).")
            offset = offset * shape[axis] + index[axis]
        }
        return offset
    }

    /// The scalar at a multi-index.
    public subscript(_ index: Int...) -> Float {
        get { storage.pointer[offset(of: index)] }
        set {
            let position = offset(of: index)
            withUnsafeMutableBufferPointer { $0[position] = newValue }
        }
    }

    /// The scalar at a flat row-major position.
    public subscript(flat position: Int) -> Float {
        get {
            precondition(position >= 0 && position < count, "Flat index \(position) is outside \(count) scalars.")
            return storage.pointer[position]
        }
        set {
            precondition(position >= 0 && position < count, "Flat index \(position) is outside \(count) scalars.")
            withUnsafeMutableBufferPointer { $0[position] = newValue }
        }
    }

    /// The sub-tensor at `index` along the first axis (a copy), shape `shape.dropFirst()`.
    public subscript(_ index: Int) -> Tensor {
        precondition(rank >= 1 && index >= 0 && index < shape[0], "Index \(index) is outside shape \(shape).")
        let inner = Array(shape.dropFirst())
        let size = inner.reduce(1, *)
        return Tensor(shape: inner) { out in
            out.baseAddress!.update(from: storage.pointer + index * size, count: size)
        }
    }

    /// The rows `range` along the first axis (a copy).
    public func slice(_ range: Range<Int>) -> Tensor {
        precondition(
            rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
            "Range \(range) is outside the first axis of shape \(shape).")
        let size = shape.dropFirst().reduce(1, *)
        var newShape = shape
        newShape[0] = range.count
        return Tensor(shape: newShape) { out in
            if size * range.count > 0 {
                out.baseAddress!.update(from: storage.pointer + range.lowerBound * size, count: size * range.count)
            }
        }
    }

    /// Stacks tensors of one shape along a new first axis.
    public static func stacked(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "Cannot stack an empty list of tensors.")
        let inner = parts[0].shape
        for part in parts {
            precondition(part.shape == inner, "Cannot stack shapes \(inner) and \(part.shape).")
        }
        let size = inner.reduce(1, *)
        return Tensor(shape: [parts.count] + inner) { out in
            for (i, part) in parts.enumerated() where size > 0 {
                part.withUnsafeBufferPointer {
                    (out.baseAddress! + i * size).update(from: $0.baseAddress!, count: size)
                }
            }
        }
    }

    /// Concatenates tensors along the first axis; the other extents must agree.
    public static func concatenated(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "Cannot concatenate an empty list of tensors.")
        let inner = Array(parts[0].shape.dropFirst())
        for part in parts {
            precondition(
                Array(part.shape.dropFirst()) == inner, "Cannot concatenate shapes \(parts[0].shape) and \(part.shape)."
            )
        }
        let rows = parts.reduce(0) { $0 + $1.shape[0] }
        return Tensor(shape: [rows] + inner) { out in
            var offset = 0
            for part in parts where part.count > 0 {
                part.withUnsafeBufferPointer {
                    (out.baseAddress! + offset).update(from: $0.baseAddress!, count: part.count)
                }
                offset += part.count
            }
        }
    }
}

extension Tensor: Equatable {
    /// Equal shapes and bitwise-equal scalars (NaN differs from itself).
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        guard lhs.shape == rhs.shape else { return false }
        if lhs.storage === rhs.storage { return true }
        return lhs.withUnsafeBufferPointer { a in rhs.withUnsafeBufferPointer { b in a.elementsEqual(b) } }
    }
}

extension Tensor: CustomStringConvertible {
    /// The shape and up to eight leading scalars.
    public var description: String {
        let head = withUnsafeBufferPointer { $0.prefix(8).map { "\($0)" } }.joined(separator: ", ")
        return "Tensor(shape: \(shape), scalars: [\(head)\(count > 8 ? ", ..." : "")])"
    }
}
