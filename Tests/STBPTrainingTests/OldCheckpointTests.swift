import Foundation
import STBPNetwork
import STBPTensor
import Testing

@testable import STBPTraining

/// A checkpoint written before networks became compositions of layers (commit 878fd60, see
/// Fixtures/make-old-checkpoint.sh) still loads: its parameter names, Adam state and progress,
/// and the network it continues computes what that commit's `stbp grad` computed.
@Suite struct OldCheckpointTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func file(_ name: String) throws -> SafeTensors {
        try SafeTensors(contentsOf: folder.appendingPathComponent(name))
    }

    @Test func anOldCheckpointResumesWithItsNamesStateAndNumbers() throws {
        let url = Self.folder.appendingPathComponent("checkpoint-878fd60.safetensors")
        let checkpoint = try Checkpoint(contentsOf: url)
        #expect(checkpoint.configuration.spec == "4C3-AP2-NN-D0.2-12FC-Voting2")
        #expect(checkpoint.progress.epoch == 2 && checkpoint.progress.step == 20)
        let trainer = try Trainer(resuming: checkpoint, path: url.path)
        #expect(
            trainer.network.namedParameters.map(\.name) == [
                "layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "layers.4.weight",
                "layers.4.bias", "layers.5.weight", "layers.5.bias",
            ])
        #expect(trainer.optimizer.state.keys.sorted() == checkpoint.optimizerState.keys.sorted())
        #expect(trainer.checkpoint().parameters == checkpoint.parameters)

        let batch = try Self.file("checkpoint-878fd60-batch.safetensors")
        let old = try Self.file("checkpoint-878fd60-grad.safetensors")
        var generator = SeededGenerator(seed: 0)
        let result = trainer.network.lossAndGradients(
            batch.float32("input")!, labels: batch.int64("labels")!.map(Int.init), loss: .meanSquaredError,
            options: ForwardOptions(timeSteps: 4), generator: &generator)
        #expect(result.output.readout.value.relativeDifference(to: old.float32("output")!) < 1e-6)
        #expect(abs(result.loss - old.float32("loss")!.scalars[0]) <= 1e-6 * abs(result.loss))
        for (name, gradient) in result.gradients {
            #expect(gradient.relativeDifference(to: old.float32("grad.\(name)")!) < 1e-5, "\(name)")
        }
        #expect(result.output.firingRates.keys.sorted() == ["0", "4", "5"])
    }
}
