import Foundation
import STBPNetwork
import STBPTensor

/// Draws a run folder's plots from its metrics log and the network.
public enum RunPlots {
    /// The most neurons of one layer the raster shows.
    public static let rasterNeurons = 40
    /// The neurons of one layer whose membrane potentials membrane.svg draws.
    public static let traceNeurons = 4

    /// Writes loss.svg, accuracy.svg and firing-rates.svg from the metrics log, and, from one
    /// pass of `sample` ([C, H, W] static or [T, C, H, W] frames) through `network`,
    /// raster.svg, membrane.svg and firing-rate-histogram.svg. The histogram counts the
    /// neurons of `histogramBatch` instead when it is given (a few test samples as the network
    /// takes them: [S, C, H, W], or frames [T, S, C, H, W]).
    public static func draw(
        in folder: RunFolder, network: Network, sample: Tensor?, timeSteps: Int, encoding: Encoding,
        histogramBatch: Tensor? = nil
    ) throws {
        let records = folder.readMetrics()
        let epochs = records.filter { $0["kind"] == "epoch" }
        let steps = records.filter { $0["kind"] == "step" }
        func series(_ name: String, _ rows: [[String: MetricValue]], x: String, y: String) -> SVGPlot.Series {
            SVGPlot.Series(
                name: name,
                points: rows.compactMap { row in row[x]?.number.flatMap { xv in row[y]?.number.map { (xv, $0) } } })
        }
        let lossSeries = [
            series("train (steps)", steps, x: "epoch_progress", y: "loss"),
            series("train (epochs)", epochs, x: "epoch", y: "train_loss"),
            series("validation", epochs, x: "epoch", y: "validation_loss"),
            series("test", epochs, x: "epoch", y: "test_loss"),
        ].filter { !$0.points.isEmpty }
        try write(SVGPlot.lines(title: "Loss", xLabel: "epoch", yLabel: "loss", series: lossSeries), "loss.svg", folder)
        let accuracySeries = [
            series("train", epochs, x: "epoch", y: "train_accuracy"),
            series("validation", epochs, x: "epoch", y: "validation_accuracy"),
            series("test", epochs, x: "epoch", y: "test_accuracy"),
        ].filter { !$0.points.isEmpty }
        try write(
            SVGPlot.lines(title: "Accuracy", xLabel: "epoch", yLabel: "accuracy", series: accuracySeries),
            "accuracy.svg",
            folder)
        let rateSeries = network.spikingLayers.map { path in
            series("\(path): \(network.label(ofLayerAt: path))", epochs, x: "epoch", y: "firing_rate.\(path)")
        }.filter { !$0.points.isEmpty }
        try write(
            SVGPlot.lines(
                title: "Firing rate per layer (test set)", xLabel: "epoch", yLabel: "mean firing rate",
                series: rateSeries),
            "firing-rates.svg", folder)
        guard let sample else { return }
        let activity = LayerActivity.record(
            network: network, input: LayerActivity.batch(ofOne: sample, network: network), timeSteps: timeSteps,
            encoding: encoding, membranes: true)
        try write(raster(activity), "raster.svg", folder)
        try write(membranes(activity), "membrane.svg", folder)
        let counted =
            histogramBatch.map {
                LayerActivity.record(
                    network: network, input: $0, timeSteps: timeSteps, encoding: encoding, membranes: false)
            } ?? activity
        try write(histogram(counted), "firing-rate-histogram.svg", folder)
    }

    /// The spike raster of one sample ([C, H, W] static or [T, C, H, W] frames): for each
    /// spiking layer, its firing rate and up to `rasterNeurons` of its neurons, spread over the
    /// range of their spike counts so that silent and busy neurons both show (every count the
    /// layer has gets a row while there are places, the rest go in proportion to how many
    /// neurons have each count), in index order, one mark per spike.
    public static func raster(network: Network, sample: Tensor, timeSteps: Int, encoding: Encoding) -> String {
        raster(
            LayerActivity.record(
                network: network, input: LayerActivity.batch(ofOne: sample, network: network),
                timeSteps: timeSteps, encoding: encoding, membranes: false))
    }

    /// Per spiking layer, how many neurons fire at which rate over `batch` (samples as the
    /// network takes them: [S, C, H, W], or frames [T, S, C, H, W]): one bar per possible rate
    /// while S · T <= 24, else 20 bins of width 0.05 between a bar of silent neurons left of 0
    /// and one of saturated neurons (firing at every step) right of 1. Silent neurons are grey,
    /// saturated ones red, and their shares are written above each panel.
    public static func firingRateHistogram(
        network: Network, batch: Tensor, timeSteps: Int, encoding: Encoding
    )
        -> String
    {
        histogram(
            LayerActivity.record(
                network: network, input: batch, timeSteps: timeSteps, encoding: encoding, membranes: false))
    }

    /// The membrane potentials of `traceNeurons` neurons of each neuron layer over the steps of
    /// one sample ([C, H, W] static or [T, C, H, W] frames), next to their threshold, for the
    /// neuron layers that report them (`Neuron.membrane(of:)`: LIF, ALIF, PLIF). The neurons
    /// are chosen as the raster's are, so the least and the most active show.
    public static func membranes(network: Network, sample: Tensor, timeSteps: Int, encoding: Encoding) -> String {
        membranes(
            LayerActivity.record(
                network: network, input: LayerActivity.batch(ofOne: sample, network: network),
                timeSteps: timeSteps, encoding: encoding, membranes: true))
    }

    static func raster(_ activity: [LayerActivity]) -> String {
        let layers = activity.map { layer in
            let picks = NeuronSample.spread(counts: layer.counts, limit: rasterNeurons)
            let shown =
                picks.count == layer.neurons
                ? "all \(layer.neurons) neurons" : "\(picks.count) of \(layer.neurons) neurons"
            return SVGPlot.RasterLayer(
                name: "\(layer.name) · firing rate \(rate(layer.firingRate)) · \(shown)", neurons: picks,
                spikes: picks.map { n in (0..<layer.timeSteps).map { layer.fired(n, at: $0) } })
        }
        let steps = activity.first?.timeSteps ?? 1
        return SVGPlot.raster(
            title: "Spikes of one sample (T = \(steps); rows spread over each layer's spike counts)",
            timeSteps: steps, layers: layers)
    }

    static func histogram(_ activity: [LayerActivity]) -> String {
        let (silentColor, saturatedColor) = ("#8c8c8c", "#d62728")
        let layers = activity.map { layer in
            let opportunities = layer.samples * layer.timeSteps
            typealias Bin = SVGPlot.Histogram.Bin
            var bins: [Bin]
            if opportunities <= 24 {
                // One bar per possible rate k / (S · T), centred on it.
                let m = Double(opportunities)
                bins = (0...opportunities).map { k in
                    Bin(
                        low: (Double(k) - 0.5) / m, high: (Double(k) + 0.5) / m, count: 0,
                        color: k == 0 ? silentColor : k == opportunities ? saturatedColor : "#4c72b0")
                }
                for total in layer.totals { bins[total].count += 1 }
            } else {
                // Silent and saturated neurons on bars of their own beside 20 bins of width 0.05.
                bins = [Bin(low: -0.05, high: 0, count: 0, color: silentColor)]
                bins += (0..<20).map { Bin(low: Double($0) / 20, high: Double($0 + 1) / 20, count: 0) }
                bins.append(Bin(low: 1, high: 1.05, count: 0, color: saturatedColor))
                for total in layer.totals {
                    let bin = total == 0 ? 0 : total == opportunities ? 21 : 1 + min(total * 20 / opportunities, 19)
                    bins[bin].count += 1
                }
            }
            let neurons = max(layer.totals.count, 1)
            let silent = layer.totals.filter { $0 == 0 }.count
            let saturated = layer.totals.filter { $0 == opportunities }.count
            return SVGPlot.Histogram(
                name: "\(layer.name) · \(layer.totals.count) neurons",
                note: "silent \(percent(silent, of: neurons)) · at every step \(percent(saturated, of: neurons))"
                    + " · mean rate \(rate(layer.firingRate))",
                bins: bins)
        }
        let samples = activity.first?.samples ?? 1, steps = activity.first?.timeSteps ?? 1
        return SVGPlot.histograms(
            title: "Firing rate of each neuron (\(samples == 1 ? "one sample" : "\(samples) samples"), T = \(steps);"
                + " grey: silent, red: firing at every step)",
            xLabel: "firing rate (spikes per step)", layers: layers)
    }

    static func membranes(_ activity: [LayerActivity]) -> String {
        let panels = activity.filter { $0.membrane != nil }.map { layer in
            let picks = NeuronSample.spread(counts: layer.counts, limit: traceNeurons)
            return SVGPlot.TracePanel(
                name: layer.name,
                traces: picks.map { n in
                    let readings = (0..<layer.timeSteps).compactMap { layer.potential(n, at: $0) }
                    let thresholds = readings.compactMap(\.threshold)
                    return SVGPlot.TracePanel.Trace(
                        name: "neuron \(n): \(layer.counts[n]) spike\(layer.counts[n] == 1 ? "" : "s")",
                        potentials: readings.map(\.potential),
                        thresholds: thresholds.count == readings.count ? thresholds : nil,
                        spikes: (0..<layer.timeSteps).map { layer.fired(n, at: $0) })
                })
        }
        let steps = activity.first?.timeSteps ?? 1
        return SVGPlot.traces(
            title: panels.isEmpty
                ? "Membrane potentials: no neuron layer reports them"
                : "Membrane potentials of one sample (T = \(steps); ringed dots: spikes)",
            timeSteps: steps, panels: panels)
    }

    static func rate(_ value: Float) -> String { String(format: "%.3f", value) }

    static func percent(_ count: Int, of total: Int) -> String {
        String(format: "%.1f%%", 100 * Double(count) / Double(max(total, 1)))
    }

    static func write(_ svg: String, _ name: String, _ folder: RunFolder) throws {
        try AtomicFile.write(Data(svg.utf8), to: folder.url.appendingPathComponent(name))
    }
}
