import Foundation
import Testing

/// Every example runs its smoke mode (synthetic data in the real file format), so none can rot.
@Suite struct ExampleSmokeTests {
    @Test(arguments: ["stbp-quickstart", "stbp-nmnist", "stbp-dvs-cifar10", "stbp-cifar10", "stbp-extending"])
    func theSmokeModeTrainsAFewStepsAndReports(example: String) throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let result = try Executables.run(example, ["--smoke", "--output", scratch.path("run")])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("Test accuracy"), "\(result.output)")
        for name in ["configuration.json", "metrics.jsonl", "checkpoint-last.safetensors", "raster.svg"] {
            #expect(FileManager.default.fileExists(atPath: scratch.path("run/\(name)")), "\(example): \(name)")
        }
        // The synthetic data set is removed at the end; its folder is named after "data in ".
        let line = result.output.split(separator: "\n").first { $0.hasPrefix("Smoke mode:") }
        let dataFolder = try #require(line?.components(separatedBy: " data in ").last)
        #expect(!FileManager.default.fileExists(atPath: dataFolder), "\(example) left \(dataFolder)")
    }

    @Test func aMissingDataFolderSaysWhereTheDataIsPublished() throws {
        let result = try Executables.run("stbp-nmnist", ["--data", "/nonexistent/N-MNIST", "--epochs", "1"])
        #expect(result.status != 0)
        #expect(result.error.contains("garrickorchard.com") && result.error.contains("Train/"))
    }
}
