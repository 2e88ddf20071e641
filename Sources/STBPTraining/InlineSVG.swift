import Foundation

/// Rebuilds an SVG file as markup to place inside an HTML page.
///
/// The file is read as XML and written again element by element: drawing, text, grouping,
/// clipping, gradient, marker and filter elements with their attributes are kept, with every
/// text and attribute value escaped for HTML; scripts, foreign objects, animations and any
/// element not on the list are left out with their content, and so are event-handler
/// attributes and links or `url(...)` references that leave the document (a `data:` image is
/// kept). Ids are prefixed, so that several plots in one page cannot collide, and a `<style>`
/// element is scoped to its plot (`@scope`), so that it cannot restyle the page.
enum InlineSVG {
    /// The elements kept (SVG's static drawing elements); `a` is kept as a `g`.
    static let elements: Set<String> = [
        "svg", "g", "defs", "symbol", "use", "title", "desc", "switch", "style", "rect", "circle", "ellipse", "line",
        "polyline", "polygon", "path", "text", "tspan", "textPath", "image", "clipPath", "mask", "pattern",
        "marker", "linearGradient", "radialGradient", "stop", "filter", "feBlend", "feColorMatrix",
        "feComponentTransfer", "feComposite", "feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap",
        "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur",
        "feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight", "feSpecularLighting", "feSpotLight",
        "feTile", "feTurbulence", "a",
    ]
    static let svgNamespace = "http://www.w3.org/2000/svg"
    static let xlinkNamespace = "http://www.w3.org/1999/xlink"

    /// The `<svg>` element of `source` rebuilt for an HTML page, its ids prefixed with `prefix`
    /// and its accessible name `label`; nil when `source` is not a well-formed XML document
    /// whose root is `<svg>`.
    static func markup(_ source: String, prefix: String, label: String) -> String? {
        var parser = Parser(bytes: Array(source.utf8), prefix: prefix, label: label)
        return parser.run()
    }

    /// Escapes `&`, `<`, `>` and `"` for HTML text and double-quoted attribute values.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }

    struct Parser {
        let bytes: [UInt8]
        let prefix: String
        let label: String
        var index = 0
        var output = ""
        /// The open elements: name, the name written (nil: left out) and whether it is a style.
        var open: [(name: String, written: String?)] = []
        var rootID = ""

        init(bytes: [UInt8], prefix: String, label: String) {
            self.bytes = bytes
            self.prefix = prefix
            self.label = label
        }

        mutating func run() -> String? {
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }  // a byte-order mark
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "<") {
                    guard let finished = markupItem() else { return nil }
                    if finished { return output }
                } else {
                    let start = index
                    while index < bytes.count && bytes[index] != UInt8(ascii: "<") { index += 1 }
                    guard text(bytes[start..<index], decode: true) else { return nil }
                }
            }
            return nil  // the root never closed
        }

        /// Reads one comment, declaration, CDATA section or tag; true when the root closed,
        /// nil when the document is not well formed.
        mutating func markupItem() -> Bool? {
            if starts("<!--") {
                return skip(past: "-->") ? false : nil
            }
            if starts("<?") {
                return skip(past: "?>") ? false : nil
            }
            if starts("<![CDATA[") {
                index += 9
                let start = index
                guard skip(past: "]]>") else { return nil }
                return text(bytes[start..<(index - 3)], decode: false) ? false : nil
            }
            if starts("<!") {  // <!DOCTYPE ...>, with an internal subset in brackets
                guard open.isEmpty else { return nil }
                var depth = 0
                while index < bytes.count {
                    switch bytes[index] {
                    case UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "]"): depth -= 1
                    case UInt8(ascii: ">") where depth <= 0:
                        index += 1
                        return false
                    default: break
                    }
                    index += 1
                }
                return nil
            }
            if starts("</") {
                index += 2
                guard let name = name() else { return nil }
                skipSpaces()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ">"), let element = open.popLast(),
                    element.name == name
                else { return nil }
                index += 1
                if let written = element.written { output += (written == "style" ? "}" : "") + "</\(written)>" }
                return open.isEmpty
            }
            return startTag()
        }

        /// Reads a start tag and writes it when it is kept; true when it was an empty root.
        mutating func startTag() -> Bool? {
            index += 1
            guard let name = name() else { return nil }
            var attributes: [(name: String, value: String)] = []
            var empty = false
            while true {
                let spaced = skipSpaces()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ">") {
                    index += 1
                    break
                }
                if bytes[index] == UInt8(ascii: "/") {
                    guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ">") else { return nil }
                    index += 2
                    empty = true
                    break
                }
                guard spaced, let attribute = self.name() else { return nil }
                skipSpaces()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { return nil }
                index += 1
                skipSpaces()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'")
                else { return nil }
                let quote = bytes[index]
                index += 1
                let start = index
                while index < bytes.count && bytes[index] != quote { index += 1 }
                guard index < bytes.count else { return nil }
                attributes.append((attribute, Self.decode(bytes[start..<index])))
                index += 1
            }
            let isRoot = open.isEmpty
            guard !isRoot || name == "svg" else { return nil }
            let parentWritten = open.last.map { $0.written != nil } ?? true
            var written: String? = nil
            if parentWritten && InlineSVG.elements.contains(name) {
                written = name == "a" ? "g" : name
                output += "<\(written!)" + kept(attributes, root: isRoot, element: written!)
                if empty {
                    output += "/>"
                } else {
                    output += ">" + (written == "style" ? "@scope (#\(rootID)) {" : "")
                }
            }
            if !empty { open.append((name, written)) }
            return isRoot && empty
        }

        /// The attributes kept, written as ` name="value"`.
        mutating func kept(_ attributes: [(name: String, value: String)], root: Bool, element: String) -> String {
            var result = ""
            var names: Set<String> = []
            var id: String? = nil
            for (name, value) in attributes {
                let lower = name.lowercased()
                var value = value
                if lower.hasPrefix("on") || names.contains(lower) { continue }
                if lower == "xmlns" {
                    guard root && value == InlineSVG.svgNamespace else { continue }
                } else if lower == "xmlns:xlink" {
                    guard value == InlineSVG.xlinkNamespace else { continue }
                } else if lower.contains(":") && !lower.hasPrefix("xlink:") && lower != "xml:space"
                    && lower != "xml:lang"
                {
                    continue  // other namespaces (an editor's own attributes)
                }
                if lower == "id" {
                    id = prefix + value
                    continue
                }
                if lower == "href" || lower == "xlink:href" {
                    if value.hasPrefix("#") {
                        value = "#" + prefix + value.dropFirst()
                    } else if !(element == "image" && Self.isImageData(value)) {
                        continue
                    }
                }
                guard let references = Self.prefixingReferences(value, prefix: prefix) else { continue }
                value = references
                if lower == "style" && value.lowercased().contains("@import") { continue }
                names.insert(lower)
                result += " \(name)=\"\(InlineSVG.escape(value))\""
            }
            if root {
                rootID = id ?? prefix + "svg"
                id = rootID
                if !names.contains("role") { result += " role=\"img\"" }
                if !names.contains("aria-label") { result += " aria-label=\"\(InlineSVG.escape(label))\"" }
                if !names.contains("viewbox"),
                    let width = attributes.first(where: { $0.name == "width" }).flatMap({ Double($0.value) }),
                    let height = attributes.first(where: { $0.name == "height" }).flatMap({ Double($0.value) })
                {
                    result += " viewBox=\"0 0 \(width) \(height)\""
                }
            }
            if let id { result = " id=\"\(InlineSVG.escape(id))\"" + result }
            return result
        }

        /// Writes text when its element is kept; false for text outside the root element.
        mutating func text(_ slice: ArraySlice<UInt8>, decode: Bool) -> Bool {
            guard let element = open.last else {
                return slice.allSatisfy { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
            }
            if element.written != nil {
                output += InlineSVG.escape(decode ? Self.decode(slice) : String(decoding: slice, as: UTF8.self))
            }
            return true
        }

        func starts(_ text: String) -> Bool { bytes[index...].starts(with: text.utf8) }

        /// Moves past the next `text`; false when there is none.
        mutating func skip(past text: String) -> Bool {
            let pattern = Array(text.utf8)
            while index + pattern.count <= bytes.count {
                if bytes[index..<(index + pattern.count)].elementsEqual(pattern) {
                    index += pattern.count
                    return true
                }
                index += 1
            }
            return false
        }

        /// Skips white space; whether there was any.
        @discardableResult
        mutating func skipSpaces() -> Bool {
            let start = index
            while index < bytes.count && [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
            return index > start
        }

        /// An XML name: a letter, `_` or `:` (or any non-ASCII byte), then also digits, `-` and `.`.
        mutating func name() -> String? {
            let start = index
            func isStart(_ byte: UInt8) -> Bool {
                ((byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
                    || byte == UInt8(ascii: ":") || byte >= 0x80
            }
            guard index < bytes.count, isStart(bytes[index]) else { return nil }
            while index < bytes.count
                && (isStart(bytes[index]) || (bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9"))
                    || bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "."))
            {
                index += 1
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// XML text with its character and predefined entity references replaced; another
        /// reference stays as it is written.
        static func decode(_ slice: ArraySlice<UInt8>) -> String {
            let text = String(decoding: slice, as: UTF8.self)
            guard text.contains("&") else { return text }
            var result = ""
            var rest = Substring(text)
            while let ampersand = rest.firstIndex(of: "&") {
                result += rest[..<ampersand]
                guard let semicolon = rest[ampersand...].prefix(12).firstIndex(of: ";") else {
                    result += "&"
                    rest = rest[rest.index(after: ampersand)...]
                    continue
                }
                let entity = rest[rest.index(after: ampersand)..<semicolon]
                let named = ["lt": "<", "gt": ">", "amp": "&", "quot": "\"", "apos": "'"]
                if let character = named[String(entity)] {
                    result += character
                } else if entity.hasPrefix("#"), let scalar = Self.scalar(entity.dropFirst()) {
                    result.unicodeScalars.append(scalar)
                } else {
                    result += "&" + entity + ";"
                }
                rest = rest[rest.index(after: semicolon)...]
            }
            return result + rest
        }

        static func scalar(_ digits: Substring) -> Unicode.Scalar? {
            let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            return value.flatMap(Unicode.Scalar.init)
        }

        /// `value` with every `url(#id)` pointing at the prefixed id; nil when it has a
        /// `url(...)` to anything but an element of the document.
        static func prefixingReferences(_ value: String, prefix: String) -> String? {
            guard value.lowercased().contains("url(") else { return value }
            var result = ""
            var rest = Substring(value)
            while let range = rest.range(of: "url(", options: .caseInsensitive) {
                result += rest[..<range.upperBound]
                rest = rest[range.upperBound...]
                let leading = rest.prefix { $0 == " " || $0 == "\"" || $0 == "'" }
                result += leading
                rest = rest.dropFirst(leading.count)
                guard rest.first == "#" else { return nil }
                result += "#" + prefix
                rest = rest.dropFirst()
            }
            return result + rest
        }

        static func isImageData(_ value: String) -> Bool {
            ["png", "jpeg", "gif", "webp"].contains { value.lowercased().hasPrefix("data:image/\($0);") }
        }
    }
}
