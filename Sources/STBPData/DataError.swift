/// An error in a data file or folder: which file, where in it, and what was expected.
///
/// Every reader in `STBPData` throws this type for bad input (truncated files, wrong magic
/// numbers, impossible sizes, labels out of range, events outside the sensor, empty folders)
/// instead of crashing or returning garbage. Its `description` reads, for example,
/// `"train-images-idx3-ubyte: byte 0: expected the IDX magic 0x00000803, found 0x00000801"`.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The broad class of the problem, for code that wants to react to it.
    public enum Kind: String, Sendable, Equatable {
        /// The file or folder could not be opened or listed.
        case unreadable
        /// The file ends before the data it announces.
        case truncated
        /// A magic number, signature or header field has the wrong value.
        case badHeader
        /// A size in the file does not match the data (records that do not divide the file, ...).
        case badSize
        /// A label is outside the declared classes.
        case labelOutOfRange
        /// An event lies outside the sensor or breaks the format's rules.
        case badEvent
        /// A recording holds no events, or a folder no samples.
        case empty
        /// The file is in a format or version this package does not read.
        case unsupported
        /// A parameter passed with the data is impossible (for example zero time bins).
        case badParameter
    }

    /// The class of the problem.
    public var kind: Kind
    /// The path of the file or folder at fault.
    public var path: String
    /// The byte offset in the file where the problem is, when there is one.
    public var offset: Int?
    /// What was expected and what was found, as a sentence fragment.
    public var message: String

    /// An error of `kind` in the file at `path`, at byte `offset` when known.
    public init(_ kind: Kind, path: String, offset: Int? = nil, _ message: String) {
        self.kind = kind
        self.path = path
        self.offset = offset
        self.message = message
    }

    /// "path: byte offset: message" (the offset part only when known).
    public var description: String {
        if let offset { return "\(path): byte \(offset): \(message)" }
        return "\(path): \(message)"
    }
}
