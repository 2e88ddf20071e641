import Foundation

/// Small, dependency-free SVG charts for run folders: line charts (`lines`), spike rasters
/// (`raster`), firing-rate histograms (`histograms`) and membrane-potential traces (`traces`).
///
/// Every chart draws its data inside rectangles of class `plot-area` and keeps its legend, if
/// any, in a group of class `legend` outside them, so a legend never covers data. Marks carry
/// a class and `data-` attributes naming what they stand for (`spike`, `bar`, `trace`,
/// `threshold`), which is what the tests count.
public enum SVGPlot {
    /// One named line of (x, y) points.
    public struct Series: Sendable {
        /// The legend's text.
        public var name: String
        /// The points, in drawing order.
        public var points: [(x: Double, y: Double)]
        /// A line called `name` through `points`.
        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    /// Dash patterns that tell lines of one colour apart once the palette repeats.
    static let dashes = ["", "7 3", "2 3", "9 3 2 3"]
    /// The width of one character of 12 px sans-serif, roughly, for laying out labels.
    static let characterWidth = 6.8

    static func color(_ index: Int) -> String { palette[index % palette.count] }

    static func dash(_ index: Int) -> String {
        let pattern = dashes[(index / palette.count) % dashes.count]
        return pattern.isEmpty ? "" : " stroke-dasharray=\"\(pattern)\""
    }

    /// Where a chart draws its data: a rectangle in the document and the data ranges it maps.
    struct PlotArea {
        var x: Double, y: Double, width: Double, height: Double
        var xRange: ClosedRange<Double> = 0...1
        var yRange: ClosedRange<Double> = 0...1

        var right: Double { x + width }
        var bottom: Double { y + height }

        func px(_ value: Double) -> Double {
            x + (value - xRange.lowerBound) / max(xRange.upperBound - xRange.lowerBound, 1e-12) * width
        }

        func py(_ value: Double) -> Double {
            bottom - (value - yRange.lowerBound) / max(yRange.upperBound - yRange.lowerBound, 1e-12) * height
        }

        /// The area's rectangle, class `plot-area` (`fill` behind the data, a thin frame).
        func element(fill: String = "none", attributes: String = "") -> String {
            rect(x, y, width, height, fill: fill, attributes: "class=\"plot-area\" stroke=\"#999\"" + attributes)
        }
    }

    /// Grid lines and labelled ticks on the area's left and bottom edges.
    static func axes(
        _ area: PlotArea, xTicks: [Double], xLabels: [String], yTicks: [Double], yLabels: [String],
        grid: Bool = true
    ) -> String {
        var body = ""
        for (y, label) in zip(yTicks, yLabels) {
            let py = area.py(y)
            if grid { body += line(area.x, py, area.right, py, color: "#e6e6e6") }
            body += line(area.x - 4, py, area.x, py, color: "#333")
            body += text(area.x - 7, py + 4, escape(label), anchor: "end", size: 11)
        }
        for (x, label) in zip(xTicks, xLabels) {
            let px = area.px(x)
            if grid { body += line(px, area.y, px, area.bottom, color: "#f0f0f0") }
            body += line(px, area.bottom, px, area.bottom + 4, color: "#333")
            body += text(px, area.bottom + 16, escape(label), anchor: "middle", size: 11)
        }
        return body
    }

    /// A legend box of class `legend-box` at (x, y) listing `entries`: a line sample in each
    /// entry's colour and dash pattern, then its text.
    static func legend(
        x: Double, y: Double, entries: [(name: String, color: String, dash: String)]
    ) -> (svg: String, width: Double, height: Double) {
        let width = 42 + Double(entries.map(\.name.count).max() ?? 0) * characterWidth
        let height = 10 + Double(entries.count) * 18
        var body = "<g class=\"legend\">\n"
        body += rect(x, y, width, height, fill: "white", attributes: "class=\"legend-box\" stroke=\"#bbb\"")
        for (index, entry) in entries.enumerated() {
            let rowY = y + 14 + Double(index) * 18
            body +=
                "<line x1=\"\(format(x + 8))\" y1=\"\(format(rowY))\" x2=\"\(format(x + 30))\" y2=\"\(format(rowY))\" "
                + "stroke=\"\(entry.color)\" stroke-width=\"3\"\(entry.dash)/>\n"
            body += text(x + 36, rowY + 4, escape(entry.name), anchor: "start")
        }
        return (body + "</g>\n", width, height)
    }

    /// Round tick positions (steps of 1, 2 or 5 times a power of ten) that cover `values`.
    static func ticks(_ values: [Double]) -> [Double] {
        guard var low = values.min(), var high = values.max() else { return [0, 1] }
        if high - low < 1e-12 {
            low -= 0.5
            high += 0.5
        }
        let rough = (high - low) / 5
        let power = pow(10, floor(log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= rough } ?? 10 * power
        let first = floor(low / step), last = ceil(high / step)
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// Ticks for time steps 0..<steps: every step up to 16 steps, else round ones.
    static func stepTicks(_ steps: Int) -> [Int] {
        guard steps > 16 else { return Array(0..<max(steps, 1)) }
        let every = [2, 5, 10, 20, 25, 50, 100, 200, 500, 1000].first { steps / $0 <= 10 } ?? steps
        return Array(stride(from: 0, to: steps, by: every))
    }

    /// The title at the top of a document `width` wide.
    static func title(_ title: String, width: Double) -> String {
        text(width / 2, 24, escape(title), anchor: "middle", size: 15, weight: "bold")
    }

    /// An axis title rotated to run upwards, centred at (x, y).
    static func verticalText(_ x: Double, _ y: Double, _ content: String) -> String {
        "<text x=\"\(format(x))\" y=\"\(format(y))\" font-size=\"12\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 \(format(x)) \(format(y)))\">\(escape(content))</text>\n"
    }

    static func document(_ body: String, width: Double, height: Double) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width.rounded(.up)))\" "
            + "height=\"\(Int(height.rounded(.up)))\" viewBox=\"0 0 \(Int(width.rounded(.up))) "
            + "\(Int(height.rounded(.up)))\" font-family=\"sans-serif\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\(body)</svg>\n"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, color: String, width: Double = 1) -> String
    {
        "<line x1=\"\(format(x1))\" y1=\"\(format(y1))\" x2=\"\(format(x2))\" y2=\"\(format(y2))\" "
            + "stroke=\"\(color)\" stroke-width=\"\(format(width))\"/>\n"
    }

    /// A rectangle; `attributes` (class, data-, stroke) are written after the geometry.
    static func rect(
        _ x: Double, _ y: Double, _ width: Double, _ height: Double, fill: String, attributes: String = ""
    ) -> String {
        "<rect x=\"\(format(x))\" y=\"\(format(y))\" width=\"\(format(width))\" height=\"\(format(height))\" "
            + "fill=\"\(fill)\"\(attributes.isEmpty ? "" : " " + attributes)/>\n"
    }

    static func text(
        _ x: Double, _ y: Double, _ content: String, anchor: String, size: Int = 12, weight: String? = nil,
        color: String? = nil
    ) -> String {
        "<text x=\"\(format(x))\" y=\"\(format(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\""
            + (weight.map { " font-weight=\"\($0)\"" } ?? "") + (color.map { " fill=\"\($0)\"" } ?? "")
            + ">\(content)</text>\n"
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    /// A tick label with as many decimals as the tick step needs.
    static func label(_ value: Double, _ ticks: [Double]) -> String {
        let step = ticks.count > 1 ? abs(ticks[1] - ticks[0]) : 1
        let decimals = max(0, min(6, Int(-floor(log10(step)))))
        return String(format: "%.\(decimals)f", abs(value) < step / 1e6 ? 0 : value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
