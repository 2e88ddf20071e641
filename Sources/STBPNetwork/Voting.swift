import STBPAutodiff
import STBPTensor

/// The voting output layer: a dense layer to classes × votes LIF neurons. Neuron c·votes + j
/// votes for class c; the readout averages each class's group over the votes and over time
/// with a fixed, untrained matrix.
public struct Voting: FiringLayer {
    /// The dense layer with its neurons, [classes·votes, in].
    public var dense: Dense
    /// The number of classes.
    public let classes: Int
    /// The neurons per class.
    public let votes: Int

    /// A voting layer for `inputSize` inputs.
    public init(
        inputSize: Int, classes: Int, votes: Int = 10, neuron: LIFNeuron = LIFNeuron(), generator: inout SeededGenerator
    ) {
        precondition(classes >= 1 && votes >= 1, "Voting needs at least one class and one vote.")
        dense = Dense(inputSize: inputSize, outputSize: classes * votes, neuron: neuron, generator: &generator)
        self.classes = classes
        self.votes = votes
    }

    public var parameters: [(name: String, parameter: Parameter)] { dense.parameters }
    public var firesSpikes: Bool { true }

    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] {
        do {
            return try dense.outputShape(for: inputShape)
        } catch {
            var error = error
            error.layer = "Voting"
            throw error
        }
    }

    public func multiplyAccumulates(for inputShape: [Int]) -> Int { dense.multiplyAccumulates(for: inputShape) }

    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        dense.forward(input, context: &context)
    }

    func forwardFiring(
        _ input: TimeSeries, pool: AvgPool2D?, keepSpikes: Bool, context: inout ForwardContext
    ) -> FiringOutput {
        dense.forwardFiring(input, pool: nil, keepSpikes: keepSpikes, context: &context)
    }

    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        dense.step(input, state: &state, context: &context)
    }

    /// Averages the rates of each class's voters: [N, classes·votes] -> [N, classes].
    public func tally(_ rates: Variable) -> Variable {
        rates.reshaped([rates.shape[0], classes, votes]).mean(alongAxis: 2)
    }
}
