import Foundation

/// Small, dependency-free SVG charts for run folders: line charts and spike rasters.
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
    static let (width, height, margin, left) = (640.0, 400.0, 48.0, 84.0)

    /// A line chart with axes, ticks and a legend.
    public static func lines(title: String, xLabel: String, yLabel: String, series: [Series]) -> String {
        let all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let xTicks = ticks(all.map(\.x)), yTicks = ticks(all.map(\.y))
        let (x0, x1) = (xTicks.first!, xTicks.last!)
        let (y0, y1) = (yTicks.first!, yTicks.last!)
        let plotWidth = width - left - margin, plotHeight = height - 2 * margin
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * plotWidth }
        func py(_ y: Double) -> Double { height - margin - (y - y0) / (y1 - y0) * plotHeight }
        var body = frame(title: title, xLabel: xLabel, yLabel: yLabel)
        for y in yTicks {
            body += line(left, py(y), width - margin, py(y), color: "#e0e0e0")
            body += text(left - 6, py(y) + 4, label(y, yTicks), anchor: "end")
        }
        for x in xTicks {
            body += text(px(x), height - margin + 16, label(x, xTicks), anchor: "middle")
        }
        for (index, s) in series.enumerated() {
            let color = palette[index % palette.count]
            let points = s.points.filter { $0.x.isFinite && $0.y.isFinite }
            let path = points.map { "\(format(px($0.x))),\(format(py($0.y)))" }.joined(separator: " ")
            if points.count > 1 {
                body += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(path)\"/>\n"
            }
            if points.count <= 60 {
                for p in points {
                    body += "<circle cx=\"\(format(px(p.x)))\" cy=\"\(format(py(p.y)))\" r=\"3\" fill=\"\(color)\"/>\n"
                }
            }
            body += line(
                width - margin - 150, margin + 14 + Double(index) * 16, width - margin - 130,
                margin + 14 + Double(index) * 16, color: color, width: 3)
            body += text(width - margin - 125, margin + 18 + Double(index) * 16, escape(s.name), anchor: "start")
        }
        return document(body)
    }

    /// A spike raster: one panel per layer, time steps left to right, neurons top to bottom,
    /// a mark for every spike. `layers` holds each layer's name and spikes [T, neurons].
    public static func raster(title: String, layers: [(name: String, steps: [[Bool]])]) -> String {
        let panelHeight = (height - 2 * margin) / Double(max(layers.count, 1))
        var body = frame(title: title, xLabel: "time step", yLabel: "")
        for (index, layer) in layers.enumerated() {
            let top = margin + Double(index) * panelHeight
            let steps = layer.steps.count, neurons = layer.steps.first?.count ?? 0
            let cellWidth = (width - left - margin) / Double(max(steps, 1))
            let cellHeight = (panelHeight - 6) / Double(max(neurons, 1))
            body += text(left - 6, top + panelHeight / 2, escape(layer.name), anchor: "end")
            body += line(left, top + panelHeight - 1, width - margin, top + panelHeight - 1, color: "#e0e0e0")
            for (t, fired) in layer.steps.enumerated() {
                for (n, spike) in fired.enumerated() where spike {
                    body +=
                        "<rect x=\"\(format(left + Double(t) * cellWidth))\" y=\"\(format(top + Double(n) * cellHeight))\" "
                        + "width=\"\(format(max(cellWidth - 1, 0.5)))\" height=\"\(format(max(cellHeight, 0.5)))\" fill=\"#222\"/>\n"
                }
            }
        }
        return document(body)
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

    static func frame(title: String, xLabel: String, yLabel: String) -> String {
        text(width / 2, 24, escape(title), anchor: "middle", size: 16)
            + line(left, height - margin, width - margin, height - margin, color: "#333")
            + line(left, margin, left, height - margin, color: "#333")
            + text(width / 2, height - 14, escape(xLabel), anchor: "middle")
            + "<text x=\"16\" y=\"\(format(height / 2))\" font-size=\"12\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 16 \(format(height / 2)))\">\(escape(yLabel))</text>\n"
    }

    static func document(_ body: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\(body)</svg>\n"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, color: String, width: Double = 1) -> String
    {
        "<line x1=\"\(format(x1))\" y1=\"\(format(y1))\" x2=\"\(format(x2))\" y2=\"\(format(y2))\" stroke=\"\(color)\" stroke-width=\"\(format(width))\"/>\n"
    }

    static func text(_ x: Double, _ y: Double, _ content: String, anchor: String, size: Int = 12) -> String {
        "<text x=\"\(format(x))\" y=\"\(format(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\">\(content)</text>\n"
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
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
