import STBPAutodiff
import STBPTensor

/// Activations over T time steps: time-major [T, N, ...], or one value [N, ...] that is the same
/// at every step (a static input and whatever stateless layers make of it).
///
/// Keeping a constant series constant lets the encoding layer compute its convolution once
/// instead of T times; the numbers are the same as computing it at every step.
public struct TimeSeries {
    /// [T, N, ...] when varying, [N, ...] when constant.
    public let value: Variable
    /// Whether every step sees the same `value`.
    public let isConstant: Bool
    /// T.
    public let timeSteps: Int

    /// A series that varies over time: value [T, N, ...].
    public init(steps value: Variable) {
        precondition(value.shape.count >= 2, "A time series needs [T, N, ...], got \(value.shape).")
        self.value = value
        self.isConstant = false
        self.timeSteps = value.shape[0]
    }

    /// A series that is `value` ([N, ...]) at each of `timeSteps` steps.
    public init(constant value: Variable, timeSteps: Int) {
        self.value = value
        self.isConstant = true
        self.timeSteps = timeSteps
    }

    /// The batch size N.
    public var batchSize: Int { isConstant ? value.shape[0] : value.shape[1] }

    /// The shape of one sample at one step.
    public var sampleShape: [Int] { Array(value.shape.dropFirst(isConstant ? 1 : 2)) }

    /// The series as [T, N, ...] (copies a constant T times).
    public func expanded() -> Variable {
        isConstant ? value.repeated(timeSteps) : value
    }

    /// Applies a stateless per-sample operation to every step, folding T into the batch:
    /// [T, N, ...] -> [T*N, ...] -> f -> [T, N, ...]. A constant series stays constant.
    public func mapFolded(_ transform: (Variable) -> Variable) -> TimeSeries {
        if isConstant { return TimeSeries(constant: transform(value), timeSteps: timeSteps) }
        let (t, n) = (value.shape[0], value.shape[1])
        let folded = transform(value.reshaped([t * n] + sampleShape))
        return TimeSeries(steps: folded.reshaped([t, n] + Array(folded.shape.dropFirst())))
    }
}
