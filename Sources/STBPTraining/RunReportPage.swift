import Foundation
import STBPNetwork

extension RunReport {
    /// The page: an HTML5 document with its styles inline and no scripts. For several runs it
    /// begins with a comparison (a summary table, the settings in which the runs differ, and
    /// their test accuracy and loss overlaid); then, for each run, its settings, its metrics per
    /// epoch (the epoch with the best test accuracy marked) and the plots of its folder.
    public var html: String {
        var page = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="generator" content="swift-stbp (stbp report)">
            <title>\(escape(title))</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <main>
            <header>
            <h1>\(escape(title))</h1>
            <p class="subtitle">\(runs.count == 1 ? "1 run" : "\(runs.count) runs"): \
            \(runs.enumerated().map { "<a href=\"#run-\($0.offset + 1)\">\(escape($0.element.name))</a>" }
                .joined(separator: ", "))</p>
            </header>

            """
        if runs.count > 1 { page += comparison }
        for (index, run) in runs.enumerated() { page += section(run, number: index + 1) }
        page += """
            <footer>Written by <code>stbp report</code> from \(runs.count == 1 ? "one run folder" : "\(runs.count) run folders"). \
            The page is self-contained: no scripts, fonts or network access; the plots are the folders' SVG files.</footer>
            </main>
            </body>
            </html>

            """
        return page
    }

    // MARK: - Comparison of several runs

    var comparison: String {
        var html = "<section class=\"card\" id=\"comparison\">\n<h2>Comparison</h2>\n"
        html +=
            "<div class=\"scroll\"><table class=\"summary\">\n<tr><th>run</th><th>network</th><th>dataset</th><th>epochs</th>"
        html += "<th>best test accuracy</th><th>last test accuracy</th><th>last test loss</th>"
        html += "<th>samples/s</th><th>training time</th></tr>\n"
        let best = runs.map { $0.bestEpoch?.accuracy ?? -1 }.max() ?? -1
        for (index, run) in runs.enumerated() {
            let last = run.epochs.last
            let bestEpoch = run.bestEpoch
            let isBest = bestEpoch != nil && bestEpoch?.accuracy == best && runs.count > 1
            html +=
                "<tr\(isBest ? " class=\"best\"" : "")><td><a href=\"#run-\(index + 1)\">\(escape(run.name))</a></td>"
            html += "<td><code>\(escape(run.network))</code></td><td>\(escape(run.dataset))</td>"
            html += "<td>\(run.epochs.count)</td>"
            html += "<td>\(bestEpoch.map { "\(Format.percent($0.accuracy)) (epoch \($0.epoch))" } ?? "–")</td>"
            html += "<td>\(Format.cell(last?["test_accuracy"], as: .percent))</td>"
            html += "<td>\(Format.cell(last?["test_loss"], as: .loss))</td>"
            html += "<td>\(Format.number(run.meanSamplesPerSecond, as: .rate))</td>"
            html += "<td>\(Format.number(run.trainingSeconds, as: .duration))</td></tr>\n"
        }
        html += "</table></div>\n"
        html += differences
        let charts: [(title: String, key: String, axis: String, scale: Double)] = [
            ("Test accuracy", "test_accuracy", "test accuracy (%)", 100),
            ("Test loss", "test_loss", "test loss", 1),
            ("Training loss", "train_loss", "training loss", 1),
        ]
        var figures = ""
        for (index, chart) in charts.enumerated() {
            let series = runs.map { run in
                SVGPlot.Series(
                    name: run.name,
                    points: run.epochs.compactMap { record in
                        guard let epoch = record["epoch"]?.number, let value = record[chart.key]?.number,
                            value.isFinite
                        else { return nil }
                        return (epoch, value * chart.scale)
                    })
            }.filter { !$0.points.isEmpty }
            guard !series.isEmpty else { continue }
            let svg = SVGPlot.lines(title: chart.title, xLabel: "epoch", yLabel: chart.axis, series: series)
            figures += figure(svg, prefix: "c\(index)-", caption: "\(chart.title), every run")
        }
        if !figures.isEmpty { html += "<h3>Curves</h3>\n<div class=\"plots\">\n\(figures)</div>\n" }
        return html + "</section>\n"
    }

    /// The settings in which the runs differ, one row each.
    var differences: String {
        let settings = runs.map { Dictionary($0.settings, uniquingKeysWith: { a, _ in a }) }
        let keys = Set(settings.flatMap(\.keys)).filter { key in
            Set(settings.map { $0[key] ?? "" }).count > 1
        }.sorted()
        guard !keys.isEmpty else {
            return "<p class=\"muted\">The runs have the same configuration.</p>\n"
        }
        var html =
            "<h3>Settings that differ</h3>\n<div class=\"scroll\"><table class=\"settings\">\n<tr><th>setting</th>"
        html += runs.map { "<th>\(escape($0.name))</th>" }.joined() + "</tr>\n"
        for key in keys {
            html += "<tr><td><code>\(escape(key))</code></td>"
            html += settings.map { "<td>\(escape($0[key] ?? "–"))</td>" }.joined() + "</tr>\n"
        }
        return html + "</table></div>\n"
    }

    // MARK: - One run

    func section(_ run: Run, number: Int) -> String {
        var html = "<section class=\"card run\" id=\"run-\(number)\">\n<h2>\(escape(run.name))</h2>\n"
        html += "<p class=\"path\">\(escape(run.folder.path))</p>\n"
        html += "<div class=\"stats\">\n"
        let last = run.epochs.last
        if let best = run.bestEpoch {
            html += stat(Format.percent(best.accuracy), "best test accuracy (epoch \(best.epoch))")
        }
        if let loss = last?["test_loss"] { html += stat(Format.cell(loss, as: .loss), "last test loss") }
        html += stat("\(run.epochs.count)\(run.plannedEpochs.map { " / \($0)" } ?? "")", "epochs")
        if let rate = run.meanSamplesPerSecond { html += stat(Format.number(rate, as: .rate), "samples per second") }
        if let seconds = run.trainingSeconds { html += stat(Format.number(seconds, as: .duration), "training time") }
        html += "</div>\n"

        html += "<h3>Configuration</h3>\n<dl class=\"facts\">\n"
        for (label, value) in run.facts {
            let wide = ["network", "neurons", "command"].contains(label) ? " class=\"wide\"" : ""
            html += "<div\(wide)><dt>\(escape(label))</dt><dd>\(value)</dd></div>\n"
        }
        html += "</dl>\n"
        html += "<details><summary>All settings (configuration.json)</summary>\n<table class=\"settings\">\n"
        for (key, value) in run.settings {
            html += "<tr><td><code>\(escape(key))</code></td><td>\(escape(value))</td></tr>\n"
        }
        html += "</table></details>\n"

        html += "<h3>Metrics per epoch</h3>\n"
        if run.skippedMetricLines > 0 {
            html += "<p class=\"note\">\(run.skippedMetricLines) line\(run.skippedMetricLines == 1 ? "" : "s") of "
            html += "metrics.jsonl \(run.skippedMetricLines == 1 ? "is" : "are") not JSON and left out.</p>\n"
        }
        html += run.epochs.isEmpty ? "<p class=\"muted\">No epoch has finished yet.</p>\n" : metricsTable(run)

        html += "<h3>Plots</h3>\n"
        if run.plots.isEmpty {
            html += "<p class=\"muted\">The folder has no plots (*.svg).</p>\n"
        } else {
            html += "<div class=\"plots\">\n"
            for (index, plot) in run.plots.enumerated() {
                html += figure(plot.svg, prefix: "r\(number)p\(index)-", caption: plot.name)
            }
            html += "</div>\n"
        }
        return html + "</section>\n"
    }

    func metricsTable(_ run: Run) -> String {
        let columns: [(key: String, title: String, format: Format)] = [
            ("train_loss", "train loss", .loss), ("train_accuracy", "train accuracy", .percent),
            ("test_loss", "test loss", .loss), ("test_accuracy", "test accuracy", .percent),
            ("learning_rate", "learning rate", .general), ("samples_per_second", "samples/s", .rate),
            ("seconds", "time", .duration),
        ].filter { column in run.epochs.contains { $0[column.key] != nil } }
        let rates = run.firingRateKeys
        let tokens = (run.configuration["configuration", "spec"]?.string).flatMap { try? NetworkSpec($0).tokenTexts }
        let span = rates.isEmpty ? "" : " rowspan=\"2\""
        var html = "<div class=\"scroll\"><table class=\"metrics\">\n<tr><th\(span)>epoch</th>"
        html += columns.map { "<th\(span)>\($0.title)</th>" }.joined()
        if !rates.isEmpty {
            html += "<th colspan=\"\(rates.count)\" class=\"group\">firing rate per spiking layer</th></tr>\n<tr>"
            for key in rates {
                let path = String(key.dropFirst("firing_rate.".count))
                let token = Int(path).flatMap { index in tokens.flatMap { index < $0.count ? $0[index] : nil } }
                html += "<th class=\"layer\">\(escape(path))\(token.map { " · " + escape($0) } ?? "")</th>"
            }
        }
        html += "</tr>\n"
        let best = run.epochs.count > 1 ? run.bestEpoch?.epoch : nil
        for record in run.epochs {
            let epoch = Format.cell(record["epoch"], as: .general)
            html += "<tr\(best.map { "\($0)" == epoch } == true ? " class=\"best\"" : "")><td>\(epoch)</td>"
            html += columns.map { "<td>\(Format.cell(record[$0.key], as: $0.format))</td>" }.joined()
            html += rates.map { "<td>\(Format.cell(record[$0], as: .rate4))</td>" }.joined()
            html += "</tr>\n"
        }
        return html + "</table></div>\n"
    }

    func stat(_ value: String, _ label: String) -> String {
        "<div class=\"stat\"><b>\(escape(value))</b><span>\(escape(label))</span></div>\n"
    }

    func figure(_ svg: String, prefix: String, caption: String) -> String {
        guard let markup = InlineSVG.markup(svg, prefix: prefix, label: caption) else {
            return "<figure><p class=\"note\">\(escape(caption)) is not an SVG document and is left out.</p></figure>\n"
        }
        return "<figure>\(markup)<figcaption>\(escape(caption))</figcaption></figure>\n"
    }

    func escape(_ text: String) -> String { InlineSVG.escape(text) }

    static let style = """

        :root { --ink: #1c232b; --muted: #5f6b78; --line: #e2e6eb; --accent: #1f6fb4; --best: #e9f5ea; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #f4f6f8; color: var(--ink);
          font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif; }
        main { max-width: 1240px; margin: 0 auto; padding: 28px 32px 40px; }
        header h1 { font-size: 26px; margin: 0; letter-spacing: -0.01em; }
        .subtitle, .muted, footer { color: var(--muted); }
        .subtitle { margin: 2px 0 0; }
        a { color: var(--accent); text-decoration: none; }
        a:hover { text-decoration: underline; }
        .card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 20px 24px 24px;
          margin: 20px 0; box-shadow: 0 1px 3px rgba(20, 30, 40, 0.05); }
        h2 { font-size: 20px; margin: 0; }
        h3 { font-size: 12.5px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.06em;
          color: var(--muted); margin: 24px 0 8px; }
        .path { margin: 2px 0 0; color: var(--muted); word-break: break-all;
          font: 12.5px ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
        .stats { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0 0; }
        .stat { border: 1px solid var(--line); border-radius: 8px; padding: 8px 16px 9px; min-width: 130px; }
        .stat b { display: block; font-size: 21px; font-weight: 600; font-variant-numeric: tabular-nums; }
        .stat span { color: var(--muted); font-size: 12.5px; }
        dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 4px 24px;
          margin: 0; font-size: 14px; }
        dl.facts div { display: flex; gap: 12px; }
        dl.facts div.wide { grid-column: 1 / -1; }
        dl.facts dt { color: var(--muted); flex: 0 0 86px; }
        dl.facts dd { margin: 0; word-break: break-word; }
        code { font: 12.5px ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
        details { margin-top: 10px; font-size: 14px; }
        summary { cursor: pointer; color: var(--accent); }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; font-size: 13.5px; font-variant-numeric: tabular-nums; margin-top: 4px; }
        th, td { padding: 5px 9px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
        th { font-weight: 600; color: var(--muted); font-size: 12.5px; vertical-align: bottom; background: #fafbfc;
          white-space: normal; min-width: 4.5em; }
        th:first-child, td:first-child { text-align: left; }
        th.group { text-align: center; border-bottom-color: #cfd6de; }
        th.layer { white-space: nowrap; }
        table.settings td, table.settings th { text-align: left; }
        table.summary td:nth-child(-n+3), table.summary th:nth-child(-n+3) { text-align: left; }
        tr.best td { background: var(--best); font-weight: 600; }
        .plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 14px; }
        figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 8px 8px 4px; background: #fff; }
        figure svg { display: block; width: 100%; height: auto; }
        figcaption { text-align: center; color: var(--muted); font: 12px ui-monospace, "DejaVu Sans Mono", monospace; }
        .note { background: #fff7e6; border: 1px solid #f1d6a0; border-radius: 6px; padding: 6px 10px; }
        footer { font-size: 12.5px; margin-top: 8px; }

        """
}

extension RunReport.Run {
    /// The epoch with the best test accuracy (the first, on a tie).
    var bestEpoch: (epoch: Int, accuracy: Double)? {
        var best: (epoch: Int, accuracy: Double)? = nil
        for record in epochs {
            guard let accuracy = record["test_accuracy"]?.number, accuracy.isFinite,
                let epoch = record["epoch"]?.number
            else { continue }
            if best == nil || accuracy > best!.accuracy { best = (Int(epoch), accuracy) }
        }
        return best
    }

    /// The mean training throughput over the epochs.
    var meanSamplesPerSecond: Double? {
        let rates = epochs.compactMap { $0["samples_per_second"]?.number }.filter(\.isFinite)
        return rates.isEmpty ? nil : rates.reduce(0, +) / Double(rates.count)
    }

    /// The epochs' time, summed.
    var trainingSeconds: Double? {
        let seconds = epochs.compactMap { $0["seconds"]?.number }.filter(\.isFinite)
        return seconds.isEmpty ? nil : seconds.reduce(0, +)
    }

    var plannedEpochs: Int? { configuration["configuration", "epochs"]?.number.map { Int($0) } }

    /// The firing-rate keys of the epoch records, in layer order.
    var firingRateKeys: [String] {
        Set(epochs.flatMap { $0.keys.filter { $0.hasPrefix("firing_rate.") } }).sorted { a, b in
            let (pa, pb) = (a.split(separator: ".").dropFirst(), b.split(separator: ".").dropFirst())
            return pa.map { Int($0) ?? Int.max }.lexicographicallyPrecedes(pb.map { Int($0) ?? Int.max })
                || (pa.map { Int($0) ?? Int.max } == pb.map { Int($0) ?? Int.max } && a < b)
        }
    }

    var network: String { configuration["configuration", "spec"]?.string ?? "composed in Swift" }
    var dataset: String { configuration["dataset"]?.description ?? "–" }

    /// Every setting of configuration.json but the command, flattened to dotted keys.
    var settings: [(key: String, value: String)] {
        (configuration["configuration"] ?? configuration).flattened()
    }

    /// The settings worth reading first, as HTML.
    var facts: [(String, String)] {
        let c = configuration["configuration"] ?? .null
        func text(_ path: String...) -> String? { c[path].map(\.description) }
        func html(_ text: String?) -> String? { text.map(InlineSVG.escape) }
        var facts: [(String, String?)] = [
            ("network", c["spec"]?.string.map { "<code>\(InlineSVG.escape($0))</code>" } ?? "composed in Swift"),
            ("data set", html(configuration["dataset"]?.description)),
            ("input", html(c["inputShape"]?.array.map { $0.map(\.description).joined(separator: "×") })),
            ("time steps", html(text("timeSteps"))),
            ("encoding", html(text("encoding"))),
        ]
        facts += [
            ("loss", html(text("loss"))),
            (
                "optimizer",
                html(
                    text("optimizer", "kind").map { kind in
                        [kind, text("optimizer", "learningRate").map { "learning rate \($0)" }]
                            .compactMap { $0 }.joined(separator: ", ")
                    })
            ),
            (
                "schedule",
                html(
                    text("schedule", "decay").map { decay in
                        decay
                            + (text("schedule", "warmupSteps").flatMap { $0 == "0" ? nil : ", \($0) warm-up steps" }
                                ?? "")
                    })
            ),
            ("epochs", html(text("epochs"))), ("batch size", html(text("batchSize"))), ("seed", html(text("seed"))),
        ]
        if let neuron = c["network", "neuron"]?.object {
            let parts = neuron.keys.sorted().compactMap { key -> String? in
                guard let value = neuron[key] else { return nil }
                return key == "detachReset" ? (value == .bool(true) ? "detached reset" : nil) : "\(key) \(value)"
            }
            facts.append(("neurons", html(parts.joined(separator: ", "))))
        }
        if let command = configuration["command"]?.array?.compactMap(\.string), !command.isEmpty {
            facts.append(("command", "<code>\(InlineSVG.escape(Self.shellQuoted(command)))</code>"))
        }
        return facts.compactMap { label, value in value.map { (label, $0) } }
    }

    static func shellQuoted(_ words: [String]) -> String {
        words.map { word in
            word.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }) && !word.isEmpty
                ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }
}

/// How a metric is shown.
enum Format {
    case percent, loss, general, rate, rate4, duration

    static func cell(_ value: MetricValue?, as format: Format) -> String {
        switch value {
        case .none: return "–"
        case .text(let text): return InlineSVG.escape(text)
        case .number(let number): return number.isFinite ? self.number(number, as: format) : "\(number)"
        }
    }

    static func number(_ value: Double?, as format: Format) -> String {
        guard let value else { return "–" }
        switch format {
        case .percent: return percent(value)
        case .loss: return String(format: "%.4f", value)
        case .general:
            return value == value.rounded() && abs(value) < 1e15 ? "\(Int(value))" : String(format: "%g", value)
        case .rate: return String(format: "%.1f", value)
        case .rate4: return String(format: "%.4f", value)
        case .duration:
            let seconds = Int(value.rounded())
            if value < 60 { return String(format: "%.1f s", value) }
            if seconds < 3600 { return String(format: "%d min %02d s", seconds / 60, seconds % 60) }
            return String(format: "%d h %02d min", seconds / 3600, seconds / 60 % 60)
        }
    }

    static func percent(_ fraction: Double) -> String { String(format: "%.2f%%", 100 * fraction) }
}
