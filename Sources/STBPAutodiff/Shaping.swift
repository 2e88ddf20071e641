import STBPTensor

extension Variable {
    /// The same scalars with another shape (one extent may be -1).
    public func reshaped(_ newShape: [Int]) -> Variable {
        let oldShape = shape
        return Variable.record(value.reshaped(newShape), inputs: [self]) { g in [g.reshaped(oldShape)] }
    }

    /// Flattens all axes after the first `batchAxes`: [a, b, c, d] -> [a, b*c*d] for 1.
    public func flattened(keepingLeading batchAxes: Int = 1) -> Variable {
        precondition(batchAxes >= 0 && batchAxes <= shape.count, "Cannot keep \(batchAxes) leading axes of \(shape).")
        return reshaped(Array(shape.prefix(batchAxes)) + [shape.dropFirst(batchAxes).reduce(1, *)])
    }

    /// The sub-tensor at `index` along the first axis.
    public subscript(_ index: Int) -> Variable {
        let fullShape = shape
        return Variable.record(value[index], inputs: [self]) { g in
            var full = Tensor(zeros: fullShape)
            let size = g.count
            full.withUnsafeMutableBufferPointer { out in
                g.withUnsafeBufferPointer {
                    (out.baseAddress! + index * size).update(from: $0.baseAddress!, count: size)
                }
            }
            return [full]
        }
    }

    /// Stacks variables of one shape along a new first axis.
    public static func stacked(_ parts: [Variable]) -> Variable {
        let stacked = Tensor.stacked(parts.map(\.value))
        let count = parts.count
        return record(stacked, inputs: parts) { g in (0..<count).map { g[$0] } }
    }
}

extension Variable {
    /// `count` copies along a new first axis: [N, ...] -> [count, N, ...]; the gradient sums them.
    public func repeated(_ count: Int) -> Variable {
        precondition(count >= 1, "repeated needs a positive count, got \(count).")
        return Variable.record(Tensor.stacked(Array(repeating: value, count: count)), inputs: [self]) { g in
            [g.sum(alongAxis: 0)]
        }
    }
}
