import Foundation
import STBPNetwork
import STBPTensor
import Testing

@testable import STBPTraining

/// Each plot parsed back from its SVG, its marks counted against what it was given.
@Suite struct PlotTests {
    /// A tiny network with every kind of neuron: LIF before pooling (the fused pass), ALIF, PLIF.
    static func network() throws -> Network {
        try Network(inputShape: [1, 4, 4], seed: 7) {
            Conv2D(1, 2, kernelSize: 3, padding: 1)
            LIF(decay: 0.3, threshold: 0.2)
            AvgPool2D(2)
            Dense(2 * 2 * 2, 6)
            ALIF(decay: 0.3, threshold: 0.1, adaptationDecay: 0.5, adaptation: 0.5)
            Dense(6, 3)
            PLIF(decay: 0.3, threshold: 0.05)
        }
    }

    static func sample(seed: UInt64, count: Int? = nil) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor.uniform((count.map { [$0] } ?? []) + [1, 4, 4], low: 0, high: 1.5, using: &generator)
    }

    @Test func theRasterHasOneMarkPerSpikeAtItsStepAndRow() throws {
        let steps = 5
        let layers = [
            SVGPlot.RasterLayer(
                name: "0: LIF", neurons: [3, 7, 12],
                spikes: [
                    [true, false, false, true, false], [false, false, false, false, false],
                    [true, true, true, true, true],
                ]),
            SVGPlot.RasterLayer(
                name: "1: LIF", neurons: [0, 1],
                spikes: [[false, true, false, false, true], Array(repeating: false, count: 5)]),
        ]
        let svg = try #require(SVGElements(SVGPlot.raster(title: "raster", timeSteps: steps, layers: layers)))
        var expected: Set<String> = []
        for (index, layer) in layers.enumerated() {
            for (row, fired) in layer.spikes.enumerated() {
                for (t, spike) in fired.enumerated() where spike {
                    expected.insert("\(index) \(t) \(layer.neurons[row])")
                }
            }
        }
        let marks = svg.ofClass("spike")
        #expect(marks.count == expected.count)
        #expect(Set(marks.map { "\($0["data-layer"]!) \($0["data-step"]!) \($0["data-neuron"]!)" }) == expected)
        let areas = svg.ofClass("plot-area").map(\.box)
        #expect(areas.count == layers.count)
        for mark in marks {
            let layer = Int(mark["data-layer"]!)!, t = Double(mark["data-step"]!)!
            let row = Double(layers[layer].neurons.firstIndex(of: Int(mark["data-neuron"]!)!)!)
            let area = areas[layer], box = mark.box
            let center = (x: box.x + box.width / 2, y: box.y + box.height / 2)
            // Centred on its step's column and its row's band, inside its panel.
            #expect(abs(center.x - (area.x + (t + 0.5) * area.width / Double(steps))) < 0.2)
            let rowHeight = area.height / Double(layers[layer].neurons.count)
            #expect(abs(center.y - (area.y + (row + 0.5) * rowHeight)) < 0.2)
            #expect(contains(area, (box.x, box.y)) && contains(area, (box.x + box.width, box.y + box.height)))
            #expect(box.width < area.width / Double(steps) && box.height < rowHeight)
        }
    }

    @Test func theRasterOfANetworkMarksEverySpikeOfTheNeuronsItShows() throws {
        let network = try Self.network()
        let sample = Self.sample(seed: 1)
        let svg = try #require(
            SVGElements(RunPlots.raster(network: network, sample: sample, timeSteps: 6, encoding: .direct)))
        var generator = SeededGenerator(seed: 0)
        let output = network(
            sample.reshaped([1, 1, 4, 4]), options: ForwardOptions(timeSteps: 6, recordSpikes: true),
            generator: &generator)
        let marks = svg.ofClass("spike")
        #expect(!marks.isEmpty)
        for (index, path) in network.spikingLayers.enumerated() {
            let spikes = try #require(output.spikes[path])
            let neurons = spikes.count / 6
            #expect(neurons <= RunPlots.rasterNeurons)  // so every neuron is shown
            let layerMarks = marks.filter { $0["data-layer"] == "\(index)" }
            let expected = (0..<6).flatMap { t in
                (0..<neurons).filter { spikes[flat: t * neurons + $0] > 0 }.map { "\(t) \($0)" }
            }
            #expect(Set(layerMarks.map { "\($0["data-step"]!) \($0["data-neuron"]!)" }) == Set(expected), "\(path)")
            #expect(layerMarks.count == expected.count)
        }
    }

    @Test func theRasterLabelsEachLayerWithItsFiringRate() throws {
        let network = try Self.network()
        let text = RunPlots.raster(network: network, sample: Self.sample(seed: 1), timeSteps: 6, encoding: .direct)
        var generator = SeededGenerator(seed: 0)
        let output = network(
            Self.sample(seed: 1).reshaped([1, 1, 4, 4]), options: ForwardOptions(timeSteps: 6), generator: &generator)
        for path in network.spikingLayers {
            #expect(text.contains("firing rate \(String(format: "%.3f", output.firingRates[path]!))"), "\(path)")
        }
    }

    @Test func theNeuronSampleSpreadsOverTheSpikeCounts() {
        // 900 silent neurons, 90 firing once, 10 at every step: all three counts show, in proportion.
        let counts = (0..<1000).map { $0 % 100 == 5 ? 8 : $0 % 10 == 3 ? 1 : 0 }
        let picks = NeuronSample.spread(counts: counts, limit: 10)
        #expect(picks.count == 10 && picks == picks.sorted() && Set(picks).count == 10)
        let shown = picks.map { counts[$0] }
        #expect(shown.filter { $0 == 0 }.count == 8 && shown.filter { $0 == 1 }.count == 1 && shown.contains(8))
        // More counts than places: counts evenly from the lowest to the highest.
        let ramp = NeuronSample.spread(counts: Array((0..<100).reversed()), limit: 5).map { 99 - $0 }
        #expect(ramp.sorted() == [0, 25, 50, 74, 99])
        #expect(NeuronSample.spread(counts: [3, 0, 1], limit: 40) == [0, 1, 2])
    }

    @Test func theHistogramsBarsSumToTheNeurons() throws {
        let layers = [
            SVGPlot.Histogram(
                name: "a", bins: [.init(low: 0, high: 0.5, count: 7), .init(low: 0.5, high: 1, count: 3)]),
            SVGPlot.Histogram(
                name: "b", bins: (0..<20).map { .init(low: Double($0) / 20, high: Double($0 + 1) / 20, count: $0) }),
        ]
        let svg = try #require(SVGElements(SVGPlot.histograms(title: "h", xLabel: "rate", layers: layers)))
        for (index, layer) in layers.enumerated() {
            let bars = svg.ofClass("bar").filter { $0["data-layer"] == "\(index)" }
            #expect(bars.reduce(0) { $0 + Int($1["data-count"]!)! } == layer.bins.reduce(0) { $0 + $1.count })
            #expect(bars.count == layer.bins.filter { $0.count > 0 }.count)
        }

        // From a network: 3 samples of T = 4, so one bar per possible rate k / 12.
        let network = try Self.network()
        let batch = Self.sample(seed: 2, count: 3)
        let histogram = try #require(
            SVGElements(
                RunPlots.firingRateHistogram(network: network, batch: batch, timeSteps: 4, encoding: .direct)))
        var generator = SeededGenerator(seed: 0)
        let output = network(batch, options: ForwardOptions(timeSteps: 4, recordSpikes: true), generator: &generator)
        for (index, path) in network.spikingLayers.enumerated() {
            let spikes = try #require(output.spikes[path])
            let neurons = spikes.count / 12
            var levels = Array(repeating: 0, count: 13)
            for n in 0..<neurons { levels[(0..<12).filter { spikes[flat: $0 * neurons + n] > 0 }.count] += 1 }
            let bars = histogram.ofClass("bar").filter { $0["data-layer"] == "\(index)" }
            #expect(bars.map { Int($0["data-count"]!)! } == levels.filter { $0 > 0 }, "\(path)")
            #expect(bars.reduce(0) { $0 + Int($1["data-count"]!)! } == neurons)
        }
    }

    @Test func legendsLieOutsideThePlotArea() throws {
        for count in [1, 3, 12] {
            let series = (0..<count).map { k in
                SVGPlot.Series(
                    name: "layer \(k): a long name", points: (0..<5).map { (Double($0), Double(k) + 0.9 * Double($0)) })
            }
            let svg = try #require(SVGElements(SVGPlot.lines(title: "t", xLabel: "x", yLabel: "y", series: series)))
            let area = try #require(svg.ofClass("plot-area").first).box
            let legend = try #require(svg.ofClass("legend-box").first).box
            #expect(!overlaps(area, legend), "\(count) series")
            #expect(
                legend.x + legend.width <= svg.root.number("width")
                    && legend.y + legend.height <= svg.root.number("height"))
            let lines = svg.ofClass("series")
            #expect(lines.count == count && lines.allSatisfy { $0.points.allSatisfy { contains(area, $0) } })
        }
        // The membrane plot's legends too.
        let svg = try #require(
            SVGElements(
                RunPlots.membranes(
                    network: try Self.network(), sample: Self.sample(seed: 1), timeSteps: 6, encoding: .direct)))
        let areas = svg.ofClass("plot-area").map(\.box), legends = svg.ofClass("legend-box").map(\.box)
        #expect(areas.count == 3 && legends.count == 3)
        #expect(legends.allSatisfy { legend in areas.allSatisfy { !overlaps($0, legend) } })
    }

    @Test func theMembraneTracesHaveAPointPerStepAndAThreshold() throws {
        let network = try Self.network()
        let steps = 6
        let svg = try #require(
            SVGElements(
                RunPlots.membranes(network: network, sample: Self.sample(seed: 1), timeSteps: steps, encoding: .direct))
        )
        var generator = SeededGenerator(seed: 0)
        let output = network(
            Self.sample(seed: 1).reshaped([1, 1, 4, 4]),
            options: ForwardOptions(timeSteps: steps, recordSpikes: true, recordMembranes: true), generator: &generator)
        var ringedPoints = 0
        for (index, path) in network.spikingLayers.enumerated() {
            let traces = svg.ofClass("trace").filter { $0["data-layer"] == "\(index)" }
            let neurons = output.spikes[path]!.count / steps
            #expect(traces.count == min(RunPlots.traceNeurons, neurons), "\(path)")
            #expect(traces.allSatisfy { $0.points.count == steps }, "\(path)")
            let thresholds = svg.ofClass("threshold").filter { $0["data-layer"] == "\(index)" }
            #expect(!thresholds.isEmpty, "\(path)")
            // A shared threshold is one line, an adaptive one a line per trace with a point per step;
            // a spike's point (ringed) lies above its threshold, every other point below.
            for trace in traces {
                let line =
                    thresholds.first { $0["data-trace"] == trace["data-trace"] }?.points
                    ?? thresholds.first.map { t in Array(repeating: (x: 0.0, y: t.number("y1")), count: steps) }!
                #expect(line.count == steps)
                for (t, point) in trace.points.enumerated() {
                    let ringed = svg.elements.contains {
                        $0.name == "circle" && $0["stroke"] != nil && $0["fill"] == trace["stroke"]
                            && abs($0.number("cx") - point.x) < 0.05
                            && abs($0.number("cy") - point.y) < 0.05
                    }
                    ringedPoints += ringed ? 1 : 0
                    // Drawn to 0.1 px: a spike's point at or above its threshold, any other at or below.
                    #expect(ringed ? point.y <= line[t].y + 0.05 : point.y >= line[t].y - 0.05, "\(path) step \(t)")
                }
            }
        }
        #expect(ringedPoints > 0)
        // ALIF's threshold adapts: one dashed line per trace, not one shared line.
        let adaptive = svg.ofClass("threshold").filter { $0["data-layer"] == "1" }
        #expect(
            adaptive.allSatisfy { $0.name == "polyline" }
                && adaptive.count == svg.ofClass("trace").filter { $0["data-layer"] == "1" }.count)
        #expect(svg.ofClass("threshold").filter { $0["data-layer"] == "0" }.map(\.name) == ["line"])
    }

    @Test func aRunFolderGetsEveryPlot() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stbp-plots-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        let folder = try RunFolder(url)
        try RunPlots.draw(
            in: folder, network: try Self.network(), sample: Self.sample(seed: 3), timeSteps: 4, encoding: .direct,
            histogramBatch: Self.sample(seed: 4, count: 2))
        for name in [
            "loss.svg", "accuracy.svg", "firing-rates.svg", "raster.svg", "membrane.svg", "firing-rate-histogram.svg",
        ] {
            let text = try String(contentsOf: url.appendingPathComponent(name), encoding: .utf8)
            #expect(SVGElements(text) != nil, "\(name)")
        }
        let histogram = try String(contentsOf: url.appendingPathComponent("firing-rate-histogram.svg"), encoding: .utf8)
        #expect(histogram.contains("2 samples, T = 4"))
    }
}
