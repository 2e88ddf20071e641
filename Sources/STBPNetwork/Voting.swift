import STBPAutodiff
import STBPTensor

/// The voting readout: each class has `votes` output neurons, and its score is their mean,
/// [T, N, classes·votes] -> [T, N, classes] (neuron c·votes + j votes for class c). It has no
/// trainable weights: it is the fixed averaging matrix of the paper's voting layer, and the
/// network's readout then averages over time. The paper's `Voting` token is a `Dense` to
/// classes·votes neurons, `LIF`, then this layer.
public struct Voting: Layer {
    /// The number of classes.
    public let classes: Int
    /// The neurons per class.
    public let votes: Int

    /// A tally of `votes` neurons for each of `classes` classes.
    public init(classes: Int, votes: Int = 10) {
        precondition(classes >= 1 && votes >= 1, "Voting needs at least one class and one vote.")
        self.classes = classes
        self.votes = votes
    }

    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] {
        guard inputShape == [classes * votes] else {
            throw NetworkShapeError(
                layer: "Voting", inputShape: inputShape,
                reason: "voting takes \(classes) classes × \(votes) votes = [\(classes * votes)] neurons")
        }
        return [classes]
    }

    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        input.mapFolded(tally)
    }

    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        tally(input)
    }

    /// Averages the outputs of each class's voters: [N, classes·votes] -> [N, classes].
    public func tally(_ outputs: Variable) -> Variable {
        outputs.reshaped([outputs.shape[0], classes, votes]).mean(alongAxis: 2)
    }
}
