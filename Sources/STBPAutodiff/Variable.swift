import STBPTensor

/// A tensor value that may be recorded on a `Tape`.
///
/// Operations on variables that live on a tape are recorded; operations on constants
/// (`Variable(_:)`) are not, so evaluation without a tape records nothing and keeps no
/// intermediate values.
public struct Variable {
    /// The value computed in the forward pass.
    public let value: Tensor
    let slot: Int
    let tape: Tape?

    init(value: Tensor, slot: Int, tape: Tape?) {
        self.value = value
        self.slot = slot
        self.tape = tape
    }

    /// A constant: its operations are not recorded and it receives no gradient.
    public init(_ value: Tensor) {
        self.init(value: value, slot: -1, tape: nil)
    }

    /// The shape of the value.
    public var shape: [Int] { value.shape }

    /// Whether this variable is recorded on a tape (its gradient will be computed).
    public var isRecorded: Bool { tape != nil }

    /// Records an operation with a hand-written pullback.
    ///
    /// `pullback` receives dL/d(output) and returns dL/d(input) for each input, in order, with
    /// the input's shape (or nil where no gradient flows, for example to unrecorded inputs).
    /// When no input is recorded, nothing is recorded and the output is a constant.
    public static func record(
        _ output: Tensor, inputs: [Variable], pullback: @escaping (Tensor) -> [Tensor?]
    ) -> Variable {
        guard let tape = inputs.lazy.compactMap(\.tape).first else { return Variable(output) }
        precondition(
            inputs.allSatisfy { $0.tape == nil || $0.tape === tape },
            "An operation cannot mix variables from two tapes.")
        return tape.append(output: output, inputs: inputs, pullback: pullback)
    }
}
