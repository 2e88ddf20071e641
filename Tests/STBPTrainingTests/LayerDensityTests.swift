import Foundation
import STBPAutodiff
import STBPNetwork
import STBPTensor
import STBPTraining
import Testing

/// The benchmark's firing-rate calibration and per-layer densities, on tiny networks.
struct LayerDensityTests {
    /// A tiny conv network (two calibrated layers and an output) and a static batch for it.
    func tinyNetwork() throws -> (Network, Tensor) {
        let network = try Network("4C3-AP2-6C3-12FC-3", inputShape: [1, 6, 6], seed: 0)
        var generator = SeededGenerator(seed: 5)
        return (network, Tensor.uniform([3, 1, 6, 6], using: &generator))
    }

    @Test(arguments: [Float(0.1), 0.3])
    func calibrationReachesTheRate(target: Float) throws {
        let (network, input) = try tinyNetwork()
        let results = FiringRateCalibration.calibrate(network, input: input, timeSteps: 4, target: target)
        // Every spiking layer but the output (token 4) is calibrated, in order.
        #expect(Set(results.keys) == ["0", "2", "3"])
        var generator = SeededGenerator(seed: 0)
        let rates = network(input, options: ForwardOptions(timeSteps: 4), generator: &generator).firingRates
        for path in ["0", "2", "3"] {
            let result = try #require(results[path])
            #expect(result.reached, "layer \(path): \(result)")
            // The network as left behind fires at the reported rate, within the tolerance.
            #expect(abs(rates[path]! - target) <= 0.05 * target, "layer \(path) fires at \(rates[path]!)")
            #expect(rates[path] == result.rate)
        }
    }

    @Test func anUnreachableRateIsReported() throws {
        let (network, input) = try tinyNetwork()
        // A black image and no bias: no scale of the weights makes the first layer fire.
        try #require(network.parameter(named: "layers.0.bias")).value = Tensor(zeros: [4])
        let results = FiringRateCalibration.calibrate(
            network, input: Tensor(zeros: input.shape), timeSteps: 4, target: 0.1)
        let first = try #require(results["0"])
        #expect(first.rate == 0 && !first.reached && first.scale == 1)
    }

    @Test func densitiesEqualADirectCount() throws {
        let (network, input) = try tinyNetwork()
        let layers = try LayerDensity.measure(network, input: input, options: ForwardOptions(timeSteps: 4))
        #expect(layers.map(\.path) == ["0", "2", "3", "4"])
        // The direct count: spikes and membranes of a plain recorded pass.
        var generator = SeededGenerator(seed: 0)
        let output = network(
            input, options: ForwardOptions(timeSteps: 4, recordSpikes: true, recordMembranes: true),
            generator: &generator)
        func fraction(_ tensor: Tensor, _ counts: (Float) -> Bool) -> Double {
            Double(tensor.scalars.filter(counts).count) / Double(tensor.count)
        }
        let pooled = AvgPool2D(kernelSize: 2, stride: 2)(Variable(output.spikes["0"]!)).value  // layer 2's input
        let expectedInputs: [Double?] = [
            nil, fraction(pooled, { $0 != 0 }), fraction(output.spikes["2"]!, { $0 != 0 }),
            fraction(output.spikes["3"]!, { $0 != 0 }),
        ]
        #expect(layers.map(\.input) == ["analog", "pooled spikes", "spikes", "spikes"])
        for (layer, expected) in zip(layers, expectedInputs) {
            #expect(layer.inputDensity == expected, "layer \(layer.path)")
            let rate = fraction(output.spikes[layer.path]!, { $0 == 1 })
            #expect(Float(layer.firingRate) == Float(rate), "layer \(layer.path)")
            // The rectangular surrogate of width 1 around the threshold 0.5: |u - 0.5| < 0.5.
            let potentials = output.membranes[layer.path]!.potentials
            #expect(layer.surrogateDensity == fraction(potentials, { abs($0 - 0.5) < 0.5 }), "layer \(layer.path)")
        }
        #expect(layers[1].inputDensity.map { $0 > 0 } == true, "a silent tiny network tests nothing")
    }

    @Test func theReportPrintsTheDensities() throws {
        let report = try TrainingBenchmark.run(
            TrainingBenchmark.Configuration(
                name: "custom", spec: "4C3-AP2-6C3-12FC-3", inputShape: [1, 6, 6], timeSteps: 3, batchSize: 2,
                events: true, iterations: 1, firingRate: 0.2))
        #expect(report.firingRateTarget == 0.2)
        #expect(report.layers.map(\.path) == ["0", "2", "3", "4"])
        #expect(report.layers.map(\.input) == ["spikes", "pooled spikes", "spikes", "spikes"])
        // Event frames of about 10% ones feed the first layer.
        #expect(report.layers[0].inputDensity.map { abs($0 - 0.1) < 0.05 } == true)
        for layer in report.layers {
            let row = try #require(
                report.description.split(separator: "\n").first { $0.hasPrefix("    \(layer.path): ") })
            #expect(row.contains(String(format: "%.4f", layer.firingRate)), "\(row)")
            #expect(row.contains(layer.surrogateDensity.map { String(format: "%.4f", $0) } ?? "-"), "\(row)")
            #expect((layer.calibrationScale != nil) == (layer.path != "4"))
            // Calibrated on the same frames that the diagnostic pass runs on: the same rate.
            if layer.calibrationReached == true { #expect(abs(layer.firingRate - 0.2) <= 0.05 * 0.2 + 1e-6) }
        }
    }
}
