import Foundation
import STBP
import Testing

@Suite struct ToolTests {
    @Test func trainHelpListsEveryOptionWithItsDefault() throws {
        let result = try Executables.run("stbp", ["train", "--help"])
        #expect(result.status == 0)
        for option in [
            "--model", "--dataset", "--data", "--epochs", "--batch-size", "--time-steps", "--optimizer", "--learning-rate",
            "--seed", "--threads", "--output", "--resume", "--decay", "--threshold", "--surrogate", "--loss", "--schedule",
        ] {
            #expect(result.output.contains(option), "\(option)")
        }
        // Help text wraps; compare with whitespace collapsed.
        let text = result.output.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        #expect(text.contains("(default: 32C3-AP2-32C3-AP2-128FC-10)"))
        #expect(text.contains("default: adam)") && text.contains("(default: 100)"))
    }

    @Test func aWrongFlagGetsAOneLineErrorAndAHint() throws {
        let result = try Executables.run("stbp", ["train", "--data", "x", "--epoch", "3"])
        #expect(result.status != 0)
        let lines = result.error.split(separator: "\n")
        #expect(lines.first?.contains("--epoch") == true)
        #expect(result.error.contains("--help"))
    }

    @Test func aMissingDataFolderGetsAnErrorNamingItAndWhereToGetTheData() throws {
        let result = try Executables.run("stbp", ["train", "--data", "/nonexistent/mnist", "--epochs", "1"])
        #expect(result.status != 0)
        #expect(result.error.contains("/nonexistent/mnist") && result.error.contains("t10k-images-idx3-ubyte"))
    }

    @Test func summaryPrintsShapesParametersAndWork() throws {
        let result = try Executables.run(
            "stbp", ["summary", "--model", "128C3-128C3-AP2-384C3-384C3-AP2-1024FC-512FC-Voting", "--input-shape", "2x34x34"])
        #expect(result.status == 0)
        #expect(result.output.contains("384x8x8") && result.output.contains("Voting") && result.output.contains("total"))
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../STBPNetworkTests/Fixtures").standardizedFileURL

    @Test(arguments: ["time", "layer"])
    func gradReproducesThePyTorchFixture(order: String) throws {
        let fixture = Self.fixtures.appendingPathComponent("events_voting.safetensors")
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let result = try Executables.run(
            "stbp",
            ["grad", "--model", "8C3(Encoding)-AP2-16C3-AP2-32FC-Voting", "--input", fixture.path, "--weights", fixture.path,
             "--loop-order", order, "--output", scratch.path("out.safetensors")])
        #expect(result.status == 0, "\(result.error)")
        let expected = try SafeTensors(contentsOf: fixture)
        let exported = try SafeTensors(contentsOf: URL(fileURLWithPath: scratch.path("out.safetensors")))
        let names = exported.entries.keys.filter { $0.hasPrefix("grad.") } + ["output", "loss"]
        #expect(names.count == 10)
        for name in names {
            let difference = exported.float32(name)!.relativeDifference(to: expected.float32(name)!)
            #expect(difference < 1e-4, "\(name): \(difference)")
        }
    }

    @Test func gradNamesAWeightThatDoesNotFit() throws {
        let fixture = Self.fixtures.appendingPathComponent("mnist_static.safetensors").path
        let result = try Executables.run(
            "stbp", ["grad", "--model", "32C3-AP2-64C3-AP2-128FC-10", "--input", fixture, "--weights", fixture,
                     "--output", "/tmp/stbp-unused.safetensors"])
        #expect(result.status != 0)
        #expect(result.error.contains("layers.2.weight") && result.error.contains("[64, 32, 3, 3]") && result.error.contains("[32, 32, 3, 3]"))
    }
}
