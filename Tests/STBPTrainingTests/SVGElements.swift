import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The elements of an SVG document in document order, parsed with Foundation's XMLParser: what
/// the plot tests count.
struct SVGElements {
    struct Element {
        let name: String
        let attributes: [String: String]

        subscript(_ key: String) -> String? { attributes[key] }
        func number(_ key: String) -> Double { Double(attributes[key] ?? "") ?? .nan }
        var className: String? { attributes["class"] }

        /// A rectangle's bounds.
        var box: (x: Double, y: Double, width: Double, height: Double) {
            (number("x"), number("y"), number("width"), number("height"))
        }

        /// A polyline's points.
        var points: [(x: Double, y: Double)] {
            (attributes["points"] ?? "").split(separator: " ").map { pair in
                let xy = pair.split(separator: ",").map { Double($0)! }
                return (xy[0], xy[1])
            }
        }
    }

    let root: Element
    let elements: [Element]

    /// Parses `svg`; nil when it is not well-formed XML.
    init?(_ svg: String) {
        final class Collector: NSObject, XMLParserDelegate {
            var elements: [Element] = []
            func parser(
                _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]
            ) {
                elements.append(Element(name: name, attributes: attributes))
            }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        guard parser.parse(), let first = collector.elements.first, first.name == "svg" else { return nil }
        root = first
        elements = collector.elements
    }

    /// The elements of class `className`.
    func ofClass(_ className: String) -> [Element] { elements.filter { $0.className == className } }
}

/// Whether two rectangles overlap (touching edges do not).
func overlaps(
    _ a: (x: Double, y: Double, width: Double, height: Double),
    _ b: (x: Double, y: Double, width: Double, height: Double)
) -> Bool {
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

/// Whether `point` lies in `box`, edges included, within 0.1 px.
func contains(_ box: (x: Double, y: Double, width: Double, height: Double), _ point: (x: Double, y: Double)) -> Bool {
    point.x >= box.x - 0.1 && point.x <= box.x + box.width + 0.1 && point.y >= box.y - 0.1
        && point.y <= box.y + box.height + 0.1
}
