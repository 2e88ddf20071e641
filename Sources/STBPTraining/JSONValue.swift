import Foundation

/// A JSON document, read without a schema (configuration.json, whatever its version).
enum JSONValue: Decodable, Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    subscript(_ path: String...) -> JSONValue? { self[path] }

    subscript(_ path: [String]) -> JSONValue? {
        var value = self
        for key in path {
            guard case .object(let object) = value, let next = object[key] else { return nil }
            value = next
        }
        return value
    }

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var number: Double? {
        if case .number(let number) = self { return number }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let array) = self { return array }
        return nil
    }

    var object: [String: JSONValue]? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// A value as one line: numbers without a needless ".0", arrays in brackets, and an
    /// enumeration's case (an object of one key whose value is an object of plain values)
    /// as "case (key value, ...)".
    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return "\(value)"
        case .number(let value):
            return value == value.rounded() && abs(value) < 1e15 ? "\(Int(value))" : "\(Float(value))"
        case .string(let text): return text
        case .array(let values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .object(let object):
            if object.count == 1, let (name, inner) = object.first, let fields = inner.object,
                fields.values.allSatisfy({ $0.object == nil })
            {
                if fields.isEmpty { return name }
                return name + " (" + fields.keys.sorted().map { "\($0) \(fields[$0]!)" }.joined(separator: ", ") + ")"
            }
            return "{" + object.keys.sorted().map { "\($0): \(object[$0]!)" }.joined(separator: ", ") + "}"
        }
    }

    /// The leaves under dotted keys; an enumeration's case (see `description`) is one leaf.
    func flattened(prefix: String = "") -> [(key: String, value: String)] {
        guard case .object(let object) = self else { return [(prefix, description)] }
        if object.count == 1, let inner = object.first?.value.object, inner.values.allSatisfy({ $0.object == nil }) {
            return [(prefix, description)]
        }
        return object.keys.sorted().flatMap { key in
            object[key]!.flattened(prefix: prefix.isEmpty ? key : "\(prefix).\(key)")
        }
    }
}
