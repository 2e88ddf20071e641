import STBPAutodiff
import STBPTensor

/// Whether dropout draws a new mask at every time step or one mask for all T steps.
public enum DropoutMasks: String, Sendable, Hashable, Codable, CaseIterable {
    /// A new mask at each step, as in the authors' code (the default).
    case perStep
    /// One mask per sample, shared by all steps.
    case shared
}

/// Inverted dropout (the paper's `D0.5`): in training each value is kept with probability
/// 1 - p and scaled by 1/(1 - p); in evaluation it passes unchanged.
public struct Dropout: Layer {
    /// The probability p of dropping a value.
    public let probability: Float
    /// Per-step or shared masks.
    public var masks: DropoutMasks

    /// Dropout with probability `probability`.
    public init(_ probability: Float, masks: DropoutMasks = .perStep) {
        precondition(probability >= 0 && probability < 1, "Dropout probability must lie in [0, 1), got \(probability).")
        self.probability = probability
        self.masks = masks
    }

    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] { inputShape }

    /// A mask of kept (1/(1-p)) and dropped (0) values of `shape`, whose axis `batchAxis` runs
    /// over the batch (the context's `batchSlice` of a split batch).
    func drawMask(_ shape: [Int], batchAxis: Int, _ context: inout ForwardContext) -> Tensor {
        context.bernoulli(shape, batchAxis: batchAxis, probability: 1 - probability) * (1 / (1 - probability))
    }

    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        guard context.isTraining && probability > 0 else { return input }
        switch masks {
        case .perStep:
            let x = input.expanded()
            return TimeSeries(steps: x * Variable(drawMask(x.shape, batchAxis: 1, &context)))
        case .shared:
            let mask = Variable(drawMask([input.batchSize] + input.sampleShape, batchAxis: 0, &context))
            return input.isConstant
                ? TimeSeries(constant: input.value * mask, timeSteps: input.timeSteps)
                : TimeSeries(steps: input.value * mask)
        }
    }

    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        guard context.isTraining && probability > 0 else { return input }
        switch masks {
        case .perStep:
            return input * Variable(drawMask(input.shape, batchAxis: 0, &context))
        case .shared:
            let mask = state.value as? Tensor ?? drawMask(input.shape, batchAxis: 0, &context)
            state.value = mask
            return input * Variable(mask)
        }
    }
}
