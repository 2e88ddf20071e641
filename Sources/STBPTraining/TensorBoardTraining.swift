import STBPData
import STBPNetwork
import STBPTensor

/// What a training run shows in TensorBoard. Every number of a metrics.jsonl record is a scalar
/// tagged `<kind>/<key>`, at the record's optimizer step:
///
///     step/loss  step/accuracy  step/learning_rate  step/samples_per_second  step/firing_rate.<layer>
///     epoch/train_loss  epoch/train_accuracy  epoch/test_loss  epoch/test_accuracy
///     epoch/samples_per_second  epoch/learning_rate  epoch/firing_rate.<layer>   (the test set's)
///
/// and each epoch adds histograms at its last step: `weights/<parameter>` of every parameter
/// (`layers.0.weight`), and `firing_rates/<layer>` of each spiking layer's neurons (each neuron's
/// spikes per time step, `Trainer.neuronFiringRates`). A layer is its path, a spec network's
/// token index.
extension TensorBoardWriter {
    /// The scalars of a step record.
    public func add(_ report: StepReport) {
        for (key, value) in [
            ("loss", report.loss), ("accuracy", report.accuracy), ("learning_rate", report.learningRate),
            ("samples_per_second", report.samplesPerSecond),
        ] {
            addScalar("step/\(key)", value, step: report.step)
        }
        for (layer, rate) in report.firingRates.sorted(by: { $0.key < $1.key }) {
            addScalar("step/firing_rate.\(layer)", rate, step: report.step)
        }
    }

    /// The scalars of an epoch record, the histogram of each of `network`'s parameters and the
    /// histogram of each layer's `neuronFiringRates`.
    public func add(_ report: EpochReport, network: Network, neuronFiringRates: [String: [Float]]) {
        let scalars: [(String, Double?)] = [
            ("train_loss", report.trainLoss), ("train_accuracy", report.trainAccuracy), ("test_loss", report.testLoss),
            ("test_accuracy", report.testAccuracy), ("samples_per_second", report.samplesPerSecond),
            ("learning_rate", report.learningRate), ("validation_loss", report.validationLoss),
            ("validation_accuracy", report.validationAccuracy),
        ]
        for case (let key, let value?) in scalars { addScalar("epoch/\(key)", value, step: report.step) }
        for (layer, rate) in report.firingRates.sorted(by: { $0.key < $1.key }) {
            addScalar("epoch/firing_rate.\(layer)", rate, step: report.step)
        }
        for (name, parameter) in network.namedParameters {
            parameter.value.withUnsafeBufferPointer { addHistogram("weights/\(name)", $0, step: report.step) }
        }
        for layer in network.spikingLayers {
            if let rates = neuronFiringRates[layer] { addHistogram("firing_rates/\(layer)", rates, step: report.step) }
        }
    }
}

extension Trainer {
    /// The firing rate of each neuron of each spiking layer, by path: its spikes per time step,
    /// averaged over the samples of `loader`'s batches `batches` of `epoch`, run as `evaluate` runs
    /// them (no dropout, the same generator, so batches from the first match its passes).
    public func neuronFiringRates(
        _ loader: BatchLoader, epoch: Int = 0, batches: Range<Int>
    ) throws -> [String: [Float]] {
        var sums: [String: (spikes: [Double], rows: Int)] = [:]
        var generator = SeededGenerator(seed: configuration.seed &+ 0x6576_616C)
        var options = forwardOptions(training: false)
        options.recordSpikes = true
        for index in batches.clamped(to: 0..<loader.batchCount) {
            let batch = try loader.batch(index, epoch: epoch)
            try check(batch)
            let output = network(batch.inputs, options: options, generator: &generator)
            // Spikes [T, N, ...]: a row per time step and sample.
            for (layer, spikes) in output.spikes where spikes.shape.count >= 2 {
                let rows = spikes.shape[0] * spikes.shape[1], neurons = spikes.count / max(rows, 1)
                var total = sums[layer] ?? (Array(repeating: 0, count: neurons), 0)
                guard total.spikes.count == neurons else { continue }
                // Each neuron's spikes in the batch, as ones [1, rows] x spikes [rows, neurons] (sgemm).
                let counts = Tensor.matmul(Tensor(shape: [1, rows], repeating: 1), spikes.reshaped([rows, neurons]))
                counts.withUnsafeBufferPointer { counts in
                    for neuron in 0..<neurons { total.spikes[neuron] += Double(counts[neuron]) }
                }
                total.rows += rows
                sums[layer] = total
            }
        }
        return sums.mapValues { total in total.spikes.map { Float($0 / Double(max(total.rows, 1))) } }
    }
}
