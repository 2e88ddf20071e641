import Foundation

extension SVGPlot {
    /// One layer's panel of a spike raster: the neurons it shows and the steps at which each fired.
    public struct RasterLayer: Sendable {
        /// The panel's heading, e.g. "1: 32C3 · firing rate 0.081 · 40 of 25088 neurons".
        public var name: String
        /// The index in the layer of the neuron of each row, top to bottom.
        public var neurons: [Int]
        /// spikes[row][t]: whether the row's neuron fired at step t.
        public var spikes: [[Bool]]

        /// A panel called `name` with one row per entry of `neurons`, fired per `spikes`.
        public init(name: String, neurons: [Int], spikes: [[Bool]]) {
            precondition(neurons.count == spikes.count, "A raster needs one row of spikes per neuron.")
            self.name = name
            self.neurons = neurons
            self.spikes = spikes
        }
    }

    /// A spike raster: one panel per layer, stacked, with time steps 0..<timeSteps left to right
    /// and the given neurons top to bottom, and one mark per spike.
    ///
    /// Each spike is a `rect` of class `spike` with `data-layer` (the panel's index),
    /// `data-step` (t) and `data-neuron` (the neuron's index in its layer). A mark is centred on
    /// its step and its row, three quarters of a row high and at most a row wide (8 px at most,
    /// 3.3 px at T = 100); rows are 7 to 12 px high (a panel 36 to 280 px high, more rows
    /// thinner), so a layer reads as dots and not as solid bars for T from 4 to 100.
    public static func raster(title: String, timeSteps: Int, layers: [RasterLayer]) -> String {
        let steps = max(timeSteps, 1)
        let plotWidth = 600.0, left = 84.0
        let cell = plotWidth / Double(steps)
        let tickSteps = stepTicks(steps)
        var body = ""
        var top = 44.0
        for (index, layer) in layers.enumerated() {
            let rows = layer.neurons.count
            body += text(left, top + 14, escape(layer.name), anchor: "start", size: 12, weight: "bold")
            top += 22
            let height = rows == 0 ? 24 : min(280, max(36, Double(rows) * 12))
            let rowHeight = height / Double(max(rows, 1))
            var area = PlotArea(x: left, y: top, width: plotWidth, height: height)
            area.xRange = -0.5...(Double(steps) - 0.5)
            body += area.element(fill: "white")
            if rowHeight >= 4 {
                for row in stride(from: 1, to: rows, by: 2) {
                    body += rect(
                        left, top + Double(row) * rowHeight, plotWidth, rowHeight, fill: "#f3f3f3")
                }
            }
            let labelled = rowHeight >= 12 ? Array(0..<rows) : rowTicks(rows, count: max(2, Int(height / 26)))
            let rowCenter = { (row: Int) in top + (Double(row) + 0.5) * rowHeight }
            for row in labelled {
                body += line(left - 4, rowCenter(row), left, rowCenter(row), color: "#333")
                body += text(left - 7, rowCenter(row) + 4, "\(layer.neurons[row])", anchor: "end", size: 11)
            }
            for t in tickSteps {
                body += line(area.px(Double(t)), top, area.px(Double(t)), area.bottom, color: "#e2e2e2")
                body += line(area.px(Double(t)), area.bottom, area.px(Double(t)), area.bottom + 4, color: "#333")
                body += text(area.px(Double(t)), area.bottom + 16, "\(t)", anchor: "middle", size: 11)
            }
            if rows == 0 { body += text(left + plotWidth / 2, top + 16, "no neurons", anchor: "middle") }
            let markHeight = max(rowHeight * 0.75, 1), markWidth = min(max(cell * 0.55, 1.2), 8, max(rowHeight, 3))
            for (row, fired) in layer.spikes.enumerated() {
                for (t, spike) in fired.prefix(steps).enumerated() where spike {
                    body += rect(
                        area.px(Double(t)) - markWidth / 2, rowCenter(row) - markHeight / 2, markWidth, markHeight,
                        fill: "#1a1a1a",
                        attributes:
                            "class=\"spike\" data-layer=\"\(index)\" data-step=\"\(t)\" data-neuron=\"\(layer.neurons[row])\""
                    )
                }
            }
            top = area.bottom + 34
        }
        let height = top + 16
        body += text(left + plotWidth / 2, height - 18, "time step t", anchor: "middle")
        body += verticalText(16, 44 + (height - 70) / 2, "neuron (index in its layer)")
        let width = left + plotWidth + 24
        return document(SVGPlot.title(title, width: width) + body, width: width, height: height)
    }

    /// `count` rows spread from the first to the last of `rows`, in order, without repeats.
    static func rowTicks(_ rows: Int, count: Int) -> [Int] {
        let count = min(count, rows)
        guard count > 1 else { return [0] }
        var picks: [Int] = []
        for k in 0..<count {
            let row = Int((Double(k) * Double(rows - 1) / Double(count - 1)).rounded())
            if picks.last != row { picks.append(row) }
        }
        return picks
    }
}
