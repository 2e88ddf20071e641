import STBPTensor

/// A trainable tensor: its value, and the gradient that the last `Tape.backward` assigned.
///
/// Parameters are reference types so that layers, tapes and optimizers see the same object.
/// The gradient is assigned, not accumulated, when backward ends, so there is no zero-grad
/// step to forget.
public final class Parameter {
    /// The current value.
    public var value: Tensor
    /// The gradient from the last backward pass that used this parameter, if any.
    public var gradient: Tensor?

    /// A parameter holding `value`.
    public init(_ value: Tensor) {
        self.value = value
    }

    /// Drops the stored gradient.
    public func clearGradient() {
        gradient = nil
    }
}
