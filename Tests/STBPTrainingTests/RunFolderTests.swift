import Foundation
import STBPData
import STBPNetwork
import STBPTensor
import STBPTraining
import Testing

@Suite struct RunFolderTests {
    @Test func aSessionWritesMetricsCheckpointsAndPlots() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stbp-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        let folder = try RunFolder(url)
        let data = bandImages(count: 32, seed: 4)
        let session = TrainingSession(
            trainer: try Trainer(smallConfiguration()), folder: folder,
            train: BatchLoader(dataset: data, batchSize: 8),
            test: BatchLoader(dataset: data, batchSize: 8, shuffle: false),
            logEvery: 2, rasterSample: try data.sample(at: 0).input)
        try session.run()
        let records = folder.readMetrics()
        let epochs = records.filter { $0["kind"] == "epoch" }
        #expect(epochs.count == 2)
        for key in ["epoch", "train_loss", "test_loss", "test_accuracy", "samples_per_second"] {
            #expect(epochs.allSatisfy { $0[key]?.number != nil }, "\(key)")
        }
        #expect(records.filter { $0["kind"] == "step" }.count == 4)
        for name in [
            "checkpoint-last.safetensors", "checkpoint-best.safetensors", "loss.svg", "accuracy.svg",
            "firing-rates.svg", "raster.svg",
        ] {
            #expect(FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path), "\(name)")
        }
        let raster = try String(contentsOf: url.appendingPathComponent("raster.svg"), encoding: .utf8)
        #expect(raster.hasPrefix("<svg") && raster.hasSuffix("</svg>\n") && raster.contains("<rect x="))

        try folder.truncateMetrics(afterStep: 4)
        #expect(folder.readMetrics().allSatisfy { ($0["step"]?.number ?? 0) <= 4 })
    }

    @Test func evaluationCountsTheConfusionMatrix() {
        var accumulator = EvaluationAccumulator(classes: 3)
        accumulator.add(
            loss: 0.5, readout: Tensor(shape: [3, 3], scalars: [0.9, 0, 0, 0, 0.1, 0.8, 0, 0.6, 0.2]),
            labels: [0, 1, 1],
            firingRates: ["0": 0.2])
        let result = accumulator.result
        #expect(result.confusion == [[1, 0, 0], [0, 1, 1], [0, 0, 0]])
        #expect(abs(result.accuracy - 2.0 / 3) < 1e-12)
        #expect(
            result.perClassAccuracy[0] == 1 && result.perClassAccuracy[1] == 0.5 && result.perClassAccuracy[2] == nil)
        #expect(result.firingRates["0"] == Double(Float(0.2)))
    }
}
