import STBPTensor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Variable {
    /// Mean squared error, the mean over all elements of (prediction - target)²; shape [].
    public static func meanSquaredError(_ prediction: Variable, _ target: Tensor) -> Variable {
        precondition(
            prediction.shape == target.shape,
            "meanSquaredError: prediction \(prediction.shape) and target \(target.shape) differ.")
        let difference = prediction.value - target
        let scale = 1 / Float(Swift.max(target.count, 1))
        let loss = difference.withUnsafeBufferPointer { d in
            d.reduce(Float(0)) { $0 + $1 * $1 } * scale
        }
        return record(Tensor(scalar: loss), inputs: [prediction]) { g in
            [difference * (2 * scale * g.scalar)]
        }
    }

    /// Softmax cross-entropy: logits [N, K], labels in 0..<K; the mean over N of
    /// -log softmax(logits[n])[label[n]]; shape []. dL/dlogits = (softmax - onehot) / N.
    public static func softmaxCrossEntropy(_ logits: Variable, labels: [Int]) -> Variable {
        precondition(logits.shape.count == 2, "softmaxCrossEntropy needs logits [N, K], got \(logits.shape).")
        let (n, k) = (logits.shape[0], logits.shape[1])
        precondition(labels.count == n, "softmaxCrossEntropy: \(labels.count) labels for logits \(logits.shape).")
        precondition(labels.allSatisfy { $0 >= 0 && $0 < k }, "softmaxCrossEntropy: labels must lie in 0..<\(k).")
        var probabilities = Tensor(zeros: [n, k])
        var total: Double = 0
        probabilities.withUnsafeMutableBufferPointer { p in
            logits.value.withUnsafeBufferPointer { x in
                for row in 0..<n {
                    let base = row * k
                    var largest = -Float.infinity
                    for j in 0..<k { largest = Swift.max(largest, x[base + j]) }
                    var normaliser: Float = 0
                    for j in 0..<k {
                        p[base + j] = expf(x[base + j] - largest)
                        normaliser += p[base + j]
                    }
                    for j in 0..<k { p[base + j] /= normaliser }
                    total -= Double(x[base + labels[row]] - largest - logf(normaliser))
                }
            }
        }
        let loss = Float(total / Double(Swift.max(n, 1)))
        return record(Tensor(scalar: loss), inputs: [logits]) { g in
            var d = probabilities
            d.withUnsafeMutableBufferPointer { p in
                for row in 0..<n { p[row * k + labels[row]] -= 1 }
            }
            return [d * (g.scalar / Float(Swift.max(n, 1)))]
        }
    }
}
