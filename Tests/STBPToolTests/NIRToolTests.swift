import Foundation
import STBP
import Testing

/// The python3 that can import the `nir` package (`pip install nir`), if any.
private let pythonHasNIR = pythonCanImport("nir")

/// `stbp export`, `stbp import` and `stbp evaluate --model FILE.nir` through the executable: a
/// trained checkpoint exports with one command, Python's `nir.read` loads the file, and the
/// imported graph evaluates to exactly the checkpoint's accuracy.
@Suite(.serialized) struct NIRToolTests {
    static let requireNIR = ProcessInfo.processInfo.environment["STBP_REQUIRE_PYTHON_NIR"] == "1"

    @Test func aTrainedCheckpointExportsImportsAndEvaluatesAsItself() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        try SyntheticImages.writeMNISTFolder(
            at: scratch.url.appendingPathComponent("data"), trainCount: 100, testCount: 40, seed: 2)
        let data = scratch.path("data"), run = scratch.path("run"), nir = scratch.path("net.nir")
        let trained = try Executables.run(
            "stbp",
            [
                "train", "--data", data, "--model", "4C3-AP4-16FC-10", "--epochs", "1", "--batch-size", "20",
                "--time-steps", "4", "--threads", "1", "--output", run,
            ])
        #expect(trained.status == 0, "\(trained.error)")
        let checkpoint = run + "/checkpoint-last.safetensors"

        let exported = try Executables.run("stbp", ["export", "--checkpoint", checkpoint, "--output", nir])
        #expect(exported.status == 0, "\(exported.error)")
        #expect(exported.output.contains("wrote \(nir)"))

        let imported = try Executables.run("stbp", ["import", nir])
        #expect(imported.status == 0, "\(imported.error)")
        #expect(imported.output.contains("4C3-AP4-16FC-10"), "\(imported.output)")

        let common = ["--data", data, "--time-steps", "4", "--json", "--threads", "1"]
        let fromCheckpoint = try Executables.run("stbp", ["evaluate", "--checkpoint", checkpoint] + common)
        let fromNIR = try Executables.run("stbp", ["evaluate", "--model", nir] + common)
        #expect(fromNIR.status == 0, "\(fromNIR.error)")
        func accuracy(_ json: String) throws -> Double? {
            try (JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["accuracy"] as? Double
        }
        let expected = try accuracy(fromCheckpoint.output)
        let actual = try accuracy(fromNIR.output)
        #expect(expected != nil && actual == expected)

        if pythonHasNIR || Self.requireNIR {
            let (status, output) = try runPython([
                "-c", "import nir, sys; g = nir.read(sys.argv[1]); print(len(g.nodes), 'nodes')", nir,
            ])
            #expect(status == 0, "nir.read: \(output)")
            #expect(output.contains("10 nodes"), "\(output)")
        } else {
            print("NIRToolTests: skipping the nir.read check: python3 cannot import nir (pip install nir==1.0.8)")
        }
    }

    @Test func badNIRInputGetsErrorsNamingTheFileNodeOrFlag() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../STBPNIRTests/Fixtures").standardizedFileURL
        let hostile = fixtures.appendingPathComponent("hostile-wrong-shape.nir").path
        let refused = try Executables.run("stbp", ["import", hostile])
        #expect(refused.status != 0 && refused.status < 128)
        #expect(refused.error.contains(hostile) && refused.error.contains("node \"fc\""), "\(refused.error)")
        #expect(refused.error.contains("field \"bias\""), "\(refused.error)")

        let neuNorm = try Executables.run(
            "stbp", ["export", "--model", "4C3-NN-AP2-10", "--input-shape", "1x8x8", "--output", scratch.path("n.nir")])
        #expect(neuNorm.status != 0 && neuNorm.status < 128)
        #expect(neuNorm.error.contains("NeuNorm"), "\(neuNorm.error)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("n.nir")))

        for arguments in [
            ["export", "--model", "4C3-10", "--output", scratch.path("x.nir")],
            ["export", "--model", "4C3-10", "--input-shape", "1x8x8", "--dt", "0", "--output", scratch.path("x.nir")],
            ["import", hostile, "--dt", "-1"],
            ["evaluate", "--data", scratch.path("none")],
        ] {
            let result = try Executables.run("stbp", arguments)
            #expect(result.status != 0 && result.status < 128, "\(arguments)")
            #expect(!result.error.isEmpty)
        }
    }
}
