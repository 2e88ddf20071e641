/// A NIR file or graph that swift-stbp cannot read, import or write: the node (by its path of
/// names, "conv1" or "block.lif"), the field when one is at fault, and what was expected.
public struct NIRError: Error, CustomStringConvertible, Equatable {
    /// The file, when the error comes from one.
    public var file: String?
    /// The node's path ("" for the graph or file as a whole).
    public var node: String
    /// The node's NIR type, when known ("Conv2d").
    public var type: String?
    /// The field at fault ("weight"), if one is.
    public var field: String?
    /// What is wrong, and what was expected.
    public var reason: String

    /// An error at `node` (and `field`).
    public init(node: String, type: String? = nil, field: String? = nil, _ reason: String) {
        self.node = node
        self.type = type
        self.field = field
        self.reason = reason
    }

    /// "<file>: node "<node>" (<type>), field "<field>": <reason>."
    public var description: String {
        var parts: [String] = []
        if !node.isEmpty { parts.append("node \"\(node)\"" + (type.map { " (\($0))" } ?? "")) }
        if let field { parts.append("field \"\(field)\"") }
        let place = parts.joined(separator: ", ")
        let prefix = [file, place.isEmpty ? nil : place].compactMap { $0 }.joined(separator: ": ")
        return prefix.isEmpty ? "\(reason)." : "\(prefix): \(reason)."
    }
}
