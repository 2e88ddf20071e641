import Foundation
import STBPNetwork
import STBPTensor

/// Draws a run folder's plots from its metrics log and the network.
public enum RunPlots {
    /// Writes loss.svg, accuracy.svg and firing-rates.svg from the metrics log, and raster.svg
    /// from the spikes of `sample` ([C, H, W] static or [T, C, H, W] frames) through `network`.
    public static func draw(
        in folder: RunFolder, network: Network, sample: Tensor?, timeSteps: Int, encoding: Encoding
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
            series("test", epochs, x: "epoch", y: "test_loss"),
        ].filter { !$0.points.isEmpty }
        try write(SVGPlot.lines(title: "Loss", xLabel: "epoch", yLabel: "loss", series: lossSeries), "loss.svg", folder)
        let accuracySeries = [
            series("train", epochs, x: "epoch", y: "train_accuracy"),
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
        if let sample {
            try write(
                raster(network: network, sample: sample, timeSteps: timeSteps, encoding: encoding), "raster.svg", folder
            )
        }
    }

    /// The spike raster of one sample: for each spiking layer, up to 64 of the neurons that fire
    /// at least once, evenly spaced over them in index order.
    public static func raster(network: Network, sample: Tensor, timeSteps: Int, encoding: Encoding) -> String {
        let isStatic = sample.shape.count == network.inputShape.count
        let input =
            isStatic
            ? sample.reshaped([1] + sample.shape)
            : sample.reshaped([sample.shape[0], 1] + Array(sample.shape.dropFirst()))
        var generator = SeededGenerator(seed: 0)
        let output = network(
            input, options: ForwardOptions(timeSteps: timeSteps, encoding: encoding, recordSpikes: true),
            generator: &generator)
        let layers = network.spikingLayers.compactMap { path -> (name: String, steps: [[Bool]])? in
            guard let spikes = output.spikes[path] else { return nil }
            let steps = spikes.shape[0], neurons = spikes.count / max(steps, 1)
            let active = (0..<neurons).filter { n in (0..<steps).contains { spikes[flat: $0 * neurons + n] > 0 } }
            let shown = min(64, active.count)
            let picks = (0..<shown).map { active[$0 * active.count / shown] }
            let rows = (0..<steps).map { t in picks.map { spikes[flat: t * neurons + $0] > 0 } }
            return ("\(path): \(network.label(ofLayerAt: path))", rows)
        }
        return SVGPlot.raster(title: "Spikes of one sample (up to 64 active neurons per layer)", layers: layers)
    }

    static func write(_ svg: String, _ name: String, _ folder: RunFolder) throws {
        try AtomicFile.write(Data(svg.utf8), to: folder.url.appendingPathComponent(name))
    }
}
