import Foundation

extension SVGPlot {
    /// One layer's histogram: how many of its neurons fall in each bin.
    public struct Histogram: Sendable {
        /// One bar: the values from `low` to `high` and how many neurons have one of them.
        public struct Bin: Sendable {
            /// The bar's left edge on the x axis.
            public var low: Double
            /// The bar's right edge on the x axis.
            public var high: Double
            /// The neurons in the bin.
            public var count: Int
            /// The bar's fill (e.g. grey for silent neurons, red for saturated ones).
            public var color: String

            /// A bar from `low` to `high` holding `count` neurons, blue unless `color` says otherwise.
            public init(low: Double, high: Double, count: Int, color: String = "#4c72b0") {
                self.low = low
                self.high = high
                self.count = count
                self.color = color
            }
        }

        /// The panel's heading, e.g. "1: 32C3 · 25088 neurons".
        public var name: String
        /// A second line under the heading, e.g. "silent 41% · saturated 0.2% · mean 0.081".
        public var note: String
        /// The bars, left to right.
        public var bins: [Bin]

        /// A panel called `name` with `note` under it, drawing `bins`.
        public init(name: String, note: String = "", bins: [Bin]) {
            self.name = name
            self.note = note
            self.bins = bins
        }
    }

    /// Histograms side by side, one panel per layer (two or three to a row). The neuron counts
    /// are on a log scale (1, 10, 100, ...; a bar of one neuron is 0.3 decades high), so a
    /// handful of neurons shows beside a bar of thousands. Bars are `rect`s of class `bar` with
    /// `data-layer` (the panel's index) and `data-count`; empty bins draw none.
    public static func histograms(title: String, xLabel: String, layers: [Histogram]) -> String {
        let columns = layers.count <= 1 ? 1 : layers.count <= 4 ? 2 : 3
        let (plotWidth, plotHeight) = (300.0, 140.0)
        let (cellWidth, cellHeight) = (plotWidth + 110, plotHeight + 104)
        var body = ""
        for (index, layer) in layers.enumerated() {
            let x0 = 20 + Double(index % columns) * cellWidth, y0 = 40 + Double(index / columns) * cellHeight
            body += text(x0 + 56, y0 + 16, escape(layer.name), anchor: "start", weight: "bold")
            body += text(x0 + 56, y0 + 32, escape(layer.note), anchor: "start", size: 11, color: "#444")
            var area = PlotArea(x: x0 + 56, y: y0 + 42, width: plotWidth, height: plotHeight)
            let largest = layer.bins.map(\.count).max() ?? 1
            let decades = max(1, Int(log10(Double(max(largest, 1))).rounded(.up)))
            let yTicks = (0...decades).map(Double.init)
            let low = layer.bins.map(\.low).min() ?? 0, high = layer.bins.map(\.high).max() ?? 1
            area.xRange = low...max(high, low + 1e-9)
            area.yRange = log10(0.5)...yTicks.last!
            let xTicks = ticks([max(low, 0), min(high, 1)]).filter { area.xRange.contains($0) }
            body += area.element(fill: "white")
            body += axes(
                area, xTicks: xTicks, xLabels: xTicks.map { label($0, xTicks) }, yTicks: yTicks,
                yLabels: yTicks.map { powerOfTen(Int($0)) })
            for bin in layer.bins where bin.count > 0 {
                let barHeight = area.bottom - area.py(log10(Double(bin.count)))
                let left = area.px(bin.low), width = max(area.px(bin.high) - left - 1, 1)
                body += rect(
                    left + 0.5, area.bottom - barHeight, width, barHeight, fill: bin.color,
                    attributes: "class=\"bar\" data-layer=\"\(index)\" data-count=\"\(bin.count)\"")
            }
            body += text(area.x + plotWidth / 2, area.bottom + 34, escape(xLabel), anchor: "middle", size: 11)
            body += verticalText(x0 + 16, area.y + plotHeight / 2, "neurons (log scale)")
        }
        let rows = (layers.count + columns - 1) / columns
        let width = 20 + Double(columns) * cellWidth, height = 40 + Double(max(rows, 1)) * cellHeight
        return document(SVGPlot.title(title, width: width) + body, width: width, height: height)
    }

    /// 10^exponent written short: 1, 10, 100, 1k, 10k, 100k, 1M, ...
    static func powerOfTen(_ exponent: Int) -> String {
        let suffixes = ["", "0", "00", "k", "0k", "00k", "M", "0M", "00M"]
        return exponent < suffixes.count ? "1" + suffixes[exponent] : "1e\(exponent)"
    }
}
