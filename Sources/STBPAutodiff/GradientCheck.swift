import STBPTensor

/// Compares the tape's gradients with central differences, like `torch.autograd.gradcheck`.
public enum GradientCheck {
    /// The largest disagreement found for one input.
    public struct Report: CustomStringConvertible {
        /// The index of the input.
        public let input: Int
        /// max |analytic - numeric| / max(1, |numeric|) over the input's scalars.
        public let worstError: Float
        /// Where the worst error occurred (a flat index).
        public let worstIndex: Int
        /// "input <input>: worst error <error> at scalar <index>".
        public var description: String { "input \(input): worst error \(worstError) at scalar \(worstIndex)" }
    }

    /// Checks the gradient of the scalar `function` with respect to each of `inputs`.
    ///
    /// The analytic gradient comes from one backward pass of the tape; the numeric one from
    /// (f(x + h) - f(x - h)) / 2h for each scalar, evaluated without a tape. The error of a scalar
    /// is |analytic - numeric| / max(1, |numeric|).
    public static func check(
        inputs: [Tensor], step: Float = 1e-2, _ function: ([Variable]) -> Variable
    ) -> [Report] {
        let tape = Tape()
        let leaves = inputs.map { tape.variable($0) }
        let output = function(leaves)
        precondition(output.value.count == 1, "GradientCheck needs a scalar function, got shape \(output.shape).")
        let gradients = tape.backward(output)
        return inputs.indices.map { which in
            let analytic = gradients[leaves[which]]
            var worst: Float = 0
            var worstIndex = 0
            for index in 0..<inputs[which].count {
                let numeric = centralDifference(inputs, which: which, index: index, step: step, function)
                let error = abs(analytic.scalars[index] - numeric) / max(1, abs(numeric))
                if error > worst || error.isNaN {
                    worst = error
                    worstIndex = index
                }
            }
            return Report(input: which, worstError: worst, worstIndex: worstIndex)
        }
    }

    static func centralDifference(
        _ inputs: [Tensor], which: Int, index: Int, step: Float, _ function: ([Variable]) -> Variable
    ) -> Float {
        func evaluate(_ delta: Float) -> Double {
            var moved = inputs
            moved[which].withUnsafeMutableBufferPointer { $0[index] += delta }
            return Double(function(moved.map { Variable($0) }).value.scalars[0])
        }
        return Float((evaluate(step) - evaluate(-step)) / Double(2 * step))
    }
}
