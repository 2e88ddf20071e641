import STBPTensor

/// Accuracy, loss, confusion and firing rates over a data set.
///
/// Its JSON (`stbp evaluate --json`, Docs/JSON.md) holds the stored figures (`loss`,
/// `confusion`, `firingRates`) and the ones worked out from them (`accuracy`, `count`,
/// `perClassAccuracy`), so that a script needs no arithmetic; decoding reads the stored ones.
public struct Evaluation: Sendable, Codable, Equatable {
    /// The mean loss per sample.
    public var loss: Double
    /// confusion[label][prediction] counts.
    public var confusion: [[Int]]
    /// The mean firing rate of each spiking layer, by path (a spec network's token index).
    public var firingRates: [String: Double]

    /// The number of samples.
    public var count: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }
    /// The fraction classified correctly.
    public var accuracy: Double {
        count == 0 ? 0 : Double(confusion.indices.reduce(0) { $0 + confusion[$1][$1] }) / Double(count)
    }
    /// The accuracy of each class (nil for a class without samples).
    public var perClassAccuracy: [Double?] {
        confusion.indices.map { row in
            let total = confusion[row].reduce(0, +)
            return total == 0 ? nil : Double(confusion[row][row]) / Double(total)
        }
    }
}

extension Evaluation {
    enum CodingKeys: String, CodingKey {
        case loss, confusion, firingRates, accuracy, count, perClassAccuracy
    }

    /// Decodes `loss`, `confusion` and `firingRates`; the figures worked out from them are
    /// ignored (they follow from the confusion matrix).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            loss: try container.decode(Double.self, forKey: .loss),
            confusion: try container.decode([[Int]].self, forKey: .confusion),
            firingRates: try container.decode([String: Double].self, forKey: .firingRates))
    }

    /// Encodes the stored figures and `accuracy`, `count` and `perClassAccuracy` (null for a
    /// class without samples).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(loss, forKey: .loss)
        try container.encode(confusion, forKey: .confusion)
        try container.encode(firingRates, forKey: .firingRates)
        try container.encode(accuracy, forKey: .accuracy)
        try container.encode(count, forKey: .count)
        try container.encode(perClassAccuracy, forKey: .perClassAccuracy)
    }
}

/// Accumulates an evaluation batch by batch.
public struct EvaluationAccumulator {
    private var lossSum: Double = 0
    private var confusion: [[Int]]
    private var rateSums: [String: Double] = [:]
    private var batches = 0

    /// An empty accumulator for `classes` classes.
    public init(classes: Int) {
        confusion = Array(repeating: Array(repeating: 0, count: classes), count: classes)
    }

    /// Adds one batch: its mean loss, readout [N, classes], labels and firing rates.
    public mutating func add(loss: Float, readout: Tensor, labels: [Int], firingRates: [String: Float]) {
        add(loss: loss, readout: readout, labels: labels, firingRates: firingRates, weight: 1)
    }

    /// Adds a batch, or a process's slice of one holding `weight` (n_rank / N) of its samples:
    /// the firing rates count with that weight, so that the sums over processes give the global
    /// batch's rates.
    mutating func add(loss: Float, readout: Tensor, labels: [Int], firingRates: [String: Float], weight: Double) {
        lossSum += Double(loss) * Double(labels.count)
        for (label, prediction) in zip(labels, readout.argmaxRows()) { confusion[label][prediction] += 1 }
        for (index, rate) in firingRates { rateSums[index, default: 0] += Double(rate) * weight }
        batches += 1
    }

    /// Counts a batch of which this process holds no sample.
    mutating func addBatchCount() {
        batches += 1
    }

    /// The evaluation of every process's batches together: loss sums, confusion counts and
    /// weighted firing rates summed over `group` (a collective), `spikingLayers` naming the rates.
    func summed(over group: any ProcessGroup, spikingLayers: [String]) -> Evaluation {
        let classes = confusion.count
        var figures = [lossSum] + confusion.flatMap { $0.map(Double.init) }
        figures += spikingLayers.map { rateSums[$0] ?? 0 }
        figures = group.sum(figures)
        var merged = self
        merged.lossSum = figures[0]
        merged.confusion = (0..<classes).map { row in
            (0..<classes).map { Int(figures[1 + row * classes + $0]) }
        }
        merged.rateSums = Dictionary(
            uniqueKeysWithValues: spikingLayers.enumerated().map { ($1, figures[1 + classes * classes + $0]) })
        return merged.result
    }

    /// The evaluation so far.
    public var result: Evaluation {
        let total = confusion.reduce(0) { $0 + $1.reduce(0, +) }
        return Evaluation(
            loss: total == 0 ? 0 : lossSum / Double(total), confusion: confusion,
            firingRates: rateSums.mapValues { $0 / Double(max(batches, 1)) })
    }
}
