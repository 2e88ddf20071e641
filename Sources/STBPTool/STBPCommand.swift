import ArgumentParser
import STBP

@main
struct STBPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stbp",
        abstract: "Train and inspect spiking neural networks with spatio-temporal backpropagation.",
        subcommands: [
            TrainCommand.self, EvaluateCommand.self, SummaryCommand.self, GradCommand.self, BenchCommand.self,
            BenchDataCommand.self,
        ])

    /// Picks OpenBLAS's best kernels for this CPU (re-executing once if needed), then runs the
    /// command.
    static func main() {
        BLASKernels.ensureBestForThisCPU()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

/// Parses "CxHxW" (or any "AxBx...") into extents.
func parseShape(_ text: String, option: String) throws -> [Int] {
    let parts = text.lowercased().split(separator: "x").map { Int($0) }
    guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
        throw ValidationError("\(option) \"\(text)\" is not a shape; expected positive extents like 1x28x28.")
    }
    return parts.map { $0! }
}
