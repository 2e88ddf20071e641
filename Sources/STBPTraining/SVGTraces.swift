import Foundation

extension SVGPlot {
    /// One layer's membrane-potential traces.
    public struct TracePanel: Sendable {
        /// One neuron's potential over the steps, with the threshold it was compared with.
        public struct Trace: Sendable {
            /// The legend's text, e.g. "neuron 12: 3 spikes".
            public var name: String
            /// u[t] for t = 0..<T.
            public var potentials: [Double]
            /// The threshold at each step, or nil when the neuron does not report one.
            public var thresholds: [Double]?
            /// Whether the neuron fired at each step.
            public var spikes: [Bool]

            /// A trace called `name`.
            public init(name: String, potentials: [Double], thresholds: [Double]?, spikes: [Bool]) {
                self.name = name
                self.potentials = potentials
                self.thresholds = thresholds
                self.spikes = spikes
            }
        }

        /// The panel's heading, e.g. "1: 32C3".
        public var name: String
        /// The neurons' traces.
        public var traces: [Trace]

        /// A panel called `name` drawing `traces`.
        public init(name: String, traces: [Trace]) {
            self.name = name
            self.traces = traces
        }
    }

    /// Membrane potentials over time, one panel per layer (stacked), each with its legend to
    /// the right. Every trace is a `polyline` of class `trace` with one point per step
    /// (`data-layer`, `data-trace`), a dot on every step while T <= 40 and a ringed dot where
    /// the neuron fired. The threshold is dashed: one grey `line` of class `threshold` when
    /// it is the same for every neuron and step, else a `polyline` of class `threshold` per
    /// neuron in its colour (an adaptive threshold, as ALIF's).
    public static func traces(title: String, timeSteps: Int, panels: [TracePanel]) -> String {
        let steps = max(timeSteps, 1)
        let left = 76.0, plotWidth = 560.0, plotHeight = 150.0
        let tickSteps = stepTicks(steps)
        let ring = steps <= 20 ? 5.0 : steps <= 50 ? 4 : 3
        var body = ""
        var top = 44.0
        var right = left + plotWidth
        for (index, panel) in panels.enumerated() {
            body += text(left, top + 14, escape(panel.name), anchor: "start", weight: "bold")
            top += 22
            var area = PlotArea(x: left, y: top, width: plotWidth, height: plotHeight)
            area.xRange = (steps > 1 ? 0 : -0.5)...(steps > 1 ? Double(steps - 1) : 0.5)
            let values = panel.traces.flatMap { $0.potentials + ($0.thresholds ?? []) }.filter(\.isFinite)
            let yTicks = ticks(values)
            area.yRange = yTicks.first!...yTicks.last!
            body += area.element(fill: "white")
            body += axes(
                area, xTicks: tickSteps.map(Double.init), xLabels: tickSteps.map { "\($0)" }, yTicks: yTicks,
                yLabels: yTicks.map { label($0, yTicks) })
            let limits = panel.traces.compactMap(\.thresholds).flatMap { $0 }
            let shared = limits.first.flatMap { first in limits.allSatisfy { abs($0 - first) <= 1e-6 } ? first : nil }
            var entries: [(name: String, color: String, dash: String)] = []
            if let shared {
                body +=
                    "<line class=\"threshold\" data-layer=\"\(index)\" x1=\"\(format(area.x))\" "
                    + "y1=\"\(format(area.py(shared)))\" x2=\"\(format(area.right))\" y2=\"\(format(area.py(shared)))\" "
                    + "stroke=\"#555\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n"
                entries.append(("threshold \(String(format: "%g", shared))", "#555", " stroke-dasharray=\"6 4\""))
            }
            for (number, trace) in panel.traces.enumerated() {
                let color = color(number)
                func points(_ values: [Double]) -> String {
                    values.prefix(steps).enumerated().filter { $0.element.isFinite }.map {
                        "\(format(area.px(Double($0.offset)))),\(format(area.py($0.element)))"
                    }.joined(separator: " ")
                }
                if shared == nil, let thresholds = trace.thresholds {
                    body +=
                        "<polyline class=\"threshold\" data-layer=\"\(index)\" data-trace=\"\(number)\" fill=\"none\" "
                        + "stroke=\"\(color)\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\" "
                        + "points=\"\(points(thresholds))\"/>\n"
                }
                body +=
                    "<polyline class=\"trace\" data-layer=\"\(index)\" data-trace=\"\(number)\" fill=\"none\" "
                    + "stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points(trace.potentials))\"/>\n"
                for (t, u) in trace.potentials.prefix(steps).enumerated() where u.isFinite {
                    let fired = t < trace.spikes.count && trace.spikes[t]
                    guard fired || steps <= 40 else { continue }
                    body +=
                        "<circle cx=\"\(format(area.px(Double(t))))\" cy=\"\(format(area.py(u)))\" "
                        + (fired
                            ? "r=\"\(format(ring))\" fill=\"\(color)\" stroke=\"#111\" stroke-width=\"1.5\"/>\n"
                            : "r=\"2.5\" fill=\"\(color)\"/>\n")
                }
                entries.append((trace.name, color, ""))
            }
            if shared == nil && panel.traces.contains(where: { $0.thresholds != nil }) {
                entries.append(("threshold (dashed, per neuron)", "#555", " stroke-dasharray=\"4 3\""))
            }
            let box = legend(x: area.right + 16, y: area.y, entries: entries)
            body += box.svg
            right = max(right, area.right + 16 + box.width)
            top = area.bottom + 36
        }
        let height = top + 16
        body += text(left + plotWidth / 2, height - 18, "time step t", anchor: "middle")
        body += verticalText(16, 44 + (height - 70) / 2, "membrane potential u[t]")
        let width = right + 12
        return document(SVGPlot.title(title, width: width) + body, width: width, height: height)
    }
}
