import STBPAutodiff
import STBPTensor

/// The loss between the readout rates [N, classes] and the labels.
public enum Loss: String, Sendable, Hashable, Codable, CaseIterable {
    /// The mean over batch and classes of (rate - onehot(label))², the paper's loss.
    case meanSquaredError = "mse"
    /// The mean over the batch of -log softmax(rates)[label].
    case crossEntropy = "cross-entropy"

    /// The loss of `readout` [N, classes] for `labels` (each in 0..<classes), shape [].
    public func callAsFunction(_ readout: Variable, labels: [Int]) -> Variable {
        precondition(
            readout.shape.count == 2 && readout.shape[0] == labels.count,
            "A loss needs a readout [N, classes] for N labels; got \(readout.shape) for \(labels.count) labels.")
        let classes = readout.shape[1]
        precondition(labels.allSatisfy { $0 >= 0 && $0 < classes }, "Labels must lie in 0..<\(classes).")
        switch self {
        case .meanSquaredError:
            return Variable.meanSquaredError(readout, Loss.oneHot(labels, classes: classes))
        case .crossEntropy:
            return Variable.softmaxCrossEntropy(readout, labels: labels)
        }
    }

    /// One-hot rows [N, classes].
    public static func oneHot(_ labels: [Int], classes: Int) -> Tensor {
        var target = Tensor(zeros: [labels.count, classes])
        target.withUnsafeMutableBufferPointer { t in
            for (row, label) in labels.enumerated() { t[row * classes + label] = 1 }
        }
        return target
    }
}
