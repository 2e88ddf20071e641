import Foundation
import STBPNIR
import STBPNetwork
import STBPTensor

/// The fixtures written by Fixtures/make-fixtures.sh.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// Runs `network` on `input` ([N, ...] static or [T, N, ...] frames) and returns every spiking
/// layer's spikes [T, N, ...] by path, and the readout.
func spikes(
    of network: Network, input: Tensor, timeSteps: Int = 6, order: LoopOrder = .layer
)
    -> (spikes: [String: Tensor], readout: Tensor)
{
    var generator = SeededGenerator(seed: 0)
    let output = network(
        input, options: ForwardOptions(timeSteps: timeSteps, order: order, recordSpikes: true), generator: &generator)
    return (output.spikes, output.readout.value)
}

/// A file in a fresh temporary folder.
func temporaryFile(_ name: String) -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stbp-nir-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent(name)
}

/// Uniform values in [0, 1) from `seed`, of `shape`.
func randomInput(_ shape: [Int], seed: UInt64) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return Tensor(
        shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float.random(in: 0..<1, using: &generator) })
}
