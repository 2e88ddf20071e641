import STBPNetwork
import STBPTensor

/// What one forward pass showed of one spiking layer: its spikes, how often each neuron fired,
/// and its membrane potentials when they were recorded. What the raster, the firing-rate
/// histogram and the membrane plot draw.
struct LayerActivity {
    /// The layer's path and label, e.g. "1: 32C3".
    let name: String
    /// T.
    let timeSteps: Int
    /// The samples in the pass.
    let samples: Int
    /// Neurons per sample.
    let neurons: Int
    /// The spikes [T, samples, ...].
    let spikes: Tensor
    /// The mean firing rate the pass reported.
    let firingRate: Float
    /// The membrane potentials and thresholds [T, samples, ...], when recorded.
    let membrane: MembraneTrace?
    /// Each neuron's spikes over the steps of sample 0 (`counts`) and of all samples (`totals`).
    let counts: [Int], totals: [Int]

    init(name: String, spikes: Tensor, firingRate: Float, membrane: MembraneTrace?) {
        self.name = name
        self.spikes = spikes
        self.firingRate = firingRate
        self.membrane = membrane
        timeSteps = spikes.shape[0]
        samples = spikes.shape.count > 1 ? spikes.shape[1] : 1
        let neurons = spikes.count / max(timeSteps * samples, 1)
        self.neurons = neurons
        var counts = Array(repeating: 0, count: neurons), totals = counts
        let (timeSteps, samples) = (timeSteps, samples)
        spikes.withUnsafeBufferPointer { o in
            for t in 0..<timeSteps {
                for s in 0..<samples {
                    let base = (t * samples + s) * neurons
                    for n in 0..<neurons where o[base + n] > 0 {
                        totals[n] += 1
                        if s == 0 { counts[n] += 1 }
                    }
                }
            }
        }
        self.counts = counts
        self.totals = totals
    }

    /// Whether `neuron` of sample 0 fired at step t.
    func fired(_ neuron: Int, at t: Int) -> Bool { spikes[flat: t * samples * neurons + neuron] > 0 }

    /// The membrane potential of `neuron` of sample 0 at step t, and its threshold.
    func potential(_ neuron: Int, at t: Int) -> (potential: Double, threshold: Double?)? {
        guard let membrane, membrane.potentials.count == spikes.count else { return nil }
        let index = t * samples * neurons + neuron
        return (Double(membrane.potentials[flat: index]), membrane.thresholds.map { Double($0[flat: index]) })
    }

    /// Runs `network` on `input` (a batch as the network takes it) and returns the activity of
    /// each spiking layer, in order.
    static func record(
        network: Network, input: Tensor, timeSteps: Int, encoding: Encoding, membranes: Bool
    ) -> [LayerActivity] {
        var generator = SeededGenerator(seed: 0)
        let output = network(
            input,
            options: ForwardOptions(
                timeSteps: timeSteps, encoding: encoding, recordSpikes: true, recordMembranes: membranes),
            generator: &generator)
        return network.spikingLayers.compactMap { path in
            output.spikes[path].map { spikes in
                LayerActivity(
                    name: "\(path): \(network.label(ofLayerAt: path))", spikes: spikes,
                    firingRate: output.firingRates[path] ?? 0, membrane: output.membranes[path])
            }
        }
    }

    /// One sample ([C, H, W] static or [T, C, H, W] frames) as a batch of one.
    static func batch(ofOne sample: Tensor, network: Network) -> Tensor {
        sample.shape.count == network.inputShape.count
            ? sample.reshaped([1] + sample.shape)
            : sample.reshaped([sample.shape[0], 1] + Array(sample.shape.dropFirst()))
    }
}
