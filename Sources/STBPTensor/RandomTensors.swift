extension Tensor {
    /// Scalars drawn uniformly from [low, high).
    public static func uniform(
        _ shape: [Int], low: Float = 0, high: Float = 1, using generator: inout SeededGenerator
    ) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = low + (high - low) * generator.nextUnitFloat() }
        }
    }

    /// Scalars drawn from a normal distribution.
    public static func normal(
        _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, using generator: inout SeededGenerator
    ) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = mean + standardDeviation * generator.nextNormal() }
        }
    }

    /// Ones with probability `probability` (clamped to [0, 1]), zeros otherwise.
    public static func bernoulli(
        _ shape: [Int], probability: Float, using generator: inout SeededGenerator
    ) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = generator.nextUnitFloat() < probability ? 1 : 0 }
        }
    }

    /// One Bernoulli draw per scalar of `probabilities`: 1 where a uniform draw falls below it.
    public static func bernoulli(_ probabilities: Tensor, using generator: inout SeededGenerator) -> Tensor {
        probabilities.map { generator.nextUnitFloat() < $0 ? 1 : 0 }
    }

    /// PyTorch's default initialisation of conv and dense weights and biases
    /// (`kaiming_uniform_(a: sqrt(5))`): uniform in (-b, b) with b = 1/sqrt(fanIn).
    public static func kaimingUniform(_ shape: [Int], fanIn: Int, using generator: inout SeededGenerator) -> Tensor {
        precondition(fanIn > 0, "kaimingUniform needs a positive fan-in, got \(fanIn).")
        let bound = 1 / Float(fanIn).squareRoot()
        return uniform(shape, low: -bound, high: bound, using: &generator)
    }
}
