import STBPAutodiff
import STBPTensor

/// A loss: any function from the readout [N, classes] and the labels to a scalar `Variable`,
/// with a name for configurations and logs.
///
///     let smoothed = Loss(name: "label-smoothing") { readout, labels in
///         let target = Loss.oneHot(labels, classes: readout.shape[1]) * 0.9 + 0.01
///         return -(readout.logSoftmax(alongAxis: 1) * Variable(target)).sum() / Float(labels.count)
///     }
///
/// The built-in losses are `meanSquaredError` (the paper's, on the output firing rates) and
/// `crossEntropy`; configurations store a loss by name, so a run with a loss of your own is
/// resumed by giving the same loss to the `Trainer` again.
public struct Loss: Sendable, CustomStringConvertible {
    /// The name written in configurations and on command lines.
    public let name: String
    private let function: (@Sendable (Variable, [Int]) -> Variable)?

    /// A loss called `name` computing `function(readout, labels)`, shape [].
    public init(name: String, _ function: @escaping @Sendable (_ readout: Variable, _ labels: [Int]) -> Variable) {
        self.name = name
        self.function = function
    }

    /// A loss known only by name: a configuration's loss that is not built in, to be given again.
    init(unresolvedName name: String) {
        self.name = name
        self.function = nil
    }

    /// Whether the loss can be computed: false for a loss of your own read back from a
    /// configuration, which the `Trainer` needs to be given again.
    public var isResolved: Bool { function != nil }

    /// The name.
    public var description: String { name }

    /// The loss of `readout` [N, classes] for `labels` (each in 0..<classes), shape [].
    public func callAsFunction(_ readout: Variable, labels: [Int]) -> Variable {
        precondition(
            readout.shape.count == 2 && readout.shape[0] == labels.count,
            "A loss needs a readout [N, classes] for N labels; got \(readout.shape) for \(labels.count) labels.")
        let classes = readout.shape[1]
        precondition(labels.allSatisfy { $0 >= 0 && $0 < classes }, "Labels must lie in 0..<\(classes).")
        guard let function else {
            preconditionFailure("The loss \"\(name)\" is not built in; give it to the Trainer again.")
        }
        let value = function(readout, labels)
        precondition(value.value.count == 1, "The loss \"\(name)\" must be a scalar, got shape \(value.shape).")
        return value
    }

    /// The mean over batch and classes of (rate - onehot(label))², the paper's loss ("mse").
    public static let meanSquaredError = Loss(name: "mse") { readout, labels in
        Variable.meanSquaredError(readout, oneHot(labels, classes: readout.shape[1]))
    }

    /// The mean over the batch of -log softmax(rates)[label] ("cross-entropy").
    public static let crossEntropy = Loss(name: "cross-entropy") { readout, labels in
        Variable.softmaxCrossEntropy(readout, labels: labels)
    }

    /// The built-in losses, by name.
    public static let builtIn: [Loss] = [.meanSquaredError, .crossEntropy]

    /// The built-in loss called `name`, or nil.
    public init?(named name: String) {
        guard let loss = Loss.builtIn.first(where: { $0.name == name }) else { return nil }
        self = loss
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

extension Loss: Hashable {
    /// Whether two losses have the same name (a loss is known by its name in configurations).
    public static func == (a: Loss, b: Loss) -> Bool { a.name == b.name }
    /// Hashes the name.
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

extension Loss: Codable {
    /// Decodes a built-in loss by name; a loss of your own decodes unresolved (`isResolved`
    /// false), to be given again.
    public init(from decoder: Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        self = Loss(named: name) ?? Loss(unresolvedName: name)
    }

    /// Encodes the name, a single string such as "mse".
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
