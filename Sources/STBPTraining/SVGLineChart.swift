import Foundation

extension SVGPlot {
    /// A line chart with axes, ticks and a legend to the right of the plot area, so that no line
    /// runs under it. Colours repeat after eight series with another dash pattern; the document
    /// grows to fit a long legend. Points are marked while a series has at most 60.
    public static func lines(title: String, xLabel: String, yLabel: String, series: [Series]) -> String {
        let all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let xTicks = ticks(all.map(\.x)), yTicks = ticks(all.map(\.y))
        var area = PlotArea(x: 76, y: 44, width: 520, height: 300)
        area.xRange = xTicks.first!...xTicks.last!
        area.yRange = yTicks.first!...yTicks.last!
        var body = area.element()
        body += axes(
            area, xTicks: xTicks, xLabels: xTicks.map { label($0, xTicks) }, yTicks: yTicks,
            yLabels: yTicks.map { label($0, yTicks) })
        if all.isEmpty {
            body += text(area.x + area.width / 2, area.y + area.height / 2, "no data yet", anchor: "middle")
        }
        for (index, s) in series.enumerated() {
            let points = s.points.filter { $0.x.isFinite && $0.y.isFinite }
            let path = points.map { "\(format(area.px($0.x))),\(format(area.py($0.y)))" }.joined(separator: " ")
            if points.count > 1 {
                body +=
                    "<polyline class=\"series\" fill=\"none\" stroke=\"\(color(index))\" stroke-width=\"2\"\(dash(index)) "
                    + "points=\"\(path)\"/>\n"
            }
            if points.count <= 60 {
                for p in points {
                    body +=
                        "<circle cx=\"\(format(area.px(p.x)))\" cy=\"\(format(area.py(p.y)))\" r=\"3\" "
                        + "fill=\"\(color(index))\"/>\n"
                }
            }
        }
        body += text(area.x + area.width / 2, area.bottom + 36, escape(xLabel), anchor: "middle")
        body += verticalText(18, area.y + area.height / 2, yLabel)
        var width = area.right + 24
        var height = area.bottom + 52
        if !series.isEmpty {
            let box = legend(
                x: area.right + 16, y: area.y,
                entries: series.enumerated().map { ($0.element.name, color($0.offset), dash($0.offset)) })
            body += box.svg
            width = area.right + 16 + box.width + 12
            height = max(height, area.y + box.height + 12)
        }
        return document(SVGPlot.title(title, width: width) + body, width: width, height: height)
    }
}
