/// A command-line value out of its range: the argument, what was expected and what was given.
public struct InvalidArgument: Error, CustomStringConvertible, Equatable {
    /// The argument, e.g. "--batch-size".
    public let argument: String
    /// What it must be, e.g. "at least 1".
    public let expected: String
    /// What was given.
    public let given: String

    /// "--batch-size must be an integer in 1...2147483647, got 0."
    public var description: String { "\(argument) must be \(expected), got \(given)." }
}

/// The range checks of command-line numbers, shared by the `stbp` tool and the examples. Each
/// throws `InvalidArgument` naming the argument; nil values (not given) pass.
public enum ArgumentCheck {
    /// The largest count any flag takes (samples, steps, threads, epochs): 2^31 - 1.
    public static let maximumCount = Int(Int32.max)

    /// `value` in 1...maximumCount (or `range`).
    public static func count(_ argument: String, _ value: Int?, _ range: ClosedRange<Int> = 1...maximumCount) throws {
        guard let value, !range.contains(value) else { return }
        throw InvalidArgument(
            argument: argument, expected: "an integer in \(range.lowerBound)...\(range.upperBound)", given: "\(value)")
    }

    /// A finite `value` in `range` ([a, b]).
    public static func number(_ argument: String, _ value: Float?, _ range: ClosedRange<Float>) throws {
        guard let value, !(value.isFinite && range.contains(value)) else { return }
        throw InvalidArgument(
            argument: argument, expected: "a number in [\(range.lowerBound), \(range.upperBound)]", given: "\(value)")
    }

    /// A finite `value` in `range` ([a, b)).
    public static func number(_ argument: String, _ value: Float?, _ range: Range<Float>) throws {
        guard let value, !(value.isFinite && range.contains(value)) else { return }
        throw InvalidArgument(
            argument: argument, expected: "a number in [\(range.lowerBound), \(range.upperBound))", given: "\(value)")
    }

    /// A finite `value` above 0.
    public static func positive(_ argument: String, _ value: Float?) throws {
        guard let value, !(value.isFinite && value > 0) else { return }
        throw InvalidArgument(argument: argument, expected: "a finite number above 0", given: "\(value)")
    }

    /// A finite `value` of at least 0.
    public static func nonNegative(_ argument: String, _ value: Float?) throws {
        guard let value, !(value.isFinite && value >= 0) else { return }
        throw InvalidArgument(argument: argument, expected: "a finite number of at least 0", given: "\(value)")
    }

    /// `value` among `choices`.
    public static func choice(_ argument: String, _ value: String?, _ choices: [String]) throws {
        guard let value, !choices.contains(value) else { return }
        throw InvalidArgument(
            argument: argument, expected: "one of \(choices.joined(separator: ", "))", given: "\"\(value)\"")
    }
}
