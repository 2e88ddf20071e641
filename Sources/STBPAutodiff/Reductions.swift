import STBPTensor

extension Variable {
    /// The sum of all scalars, shape [].
    public func sum() -> Variable {
        let shape = self.shape
        return Variable.record(Tensor(scalar: value.sum()), inputs: [self]) { g in
            [Tensor(shape: shape, repeating: g.scalar)]
        }
    }

    /// The mean of all scalars, shape [].
    public func mean() -> Variable {
        sum() * (1 / Float(Swift.max(value.count, 1)))
    }

    /// Sums over `axis`, removing it.
    public func sum(alongAxis axis: Int) -> Variable {
        var keptShape = shape
        keptShape[axis] = 1
        let fullShape = shape
        return Variable.record(value.sum(alongAxis: axis), inputs: [self]) { g in
            [g.reshaped(keptShape) + Tensor(zeros: fullShape)]
        }
    }

    /// Averages over `axis`, removing it.
    public func mean(alongAxis axis: Int) -> Variable {
        sum(alongAxis: axis) * (1 / Float(Swift.max(shape[axis], 1)))
    }
}
