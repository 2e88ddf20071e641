import ArgumentParser
import STBP

@main
struct STBPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stbp",
        abstract: "Train and inspect spiking neural networks with spatio-temporal backpropagation.",
        subcommands: [
            TrainCommand.self, EvaluateCommand.self, SummaryCommand.self, GradCommand.self, BenchCommand.self,
            BenchDataCommand.self, ReportCommand.self, ExportCommand.self, ImportCommand.self,
            SimulateEventsCommand.self,
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

/// Parses "CxHxW" (or any "AxBx...") into positive extents whose product fits in an Int.
func parseShape(_ text: String, option: String) throws -> [Int] {
    let extents = text.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
    var product = 1
    for extent in extents {
        guard let extent, extent > 0, case (let next, false) = product.multipliedReportingOverflow(by: extent) else {
            throw ValidationError("\(option) \"\(text)\" is not a shape; expected positive extents like 1x28x28.")
        }
        product = next
    }
    return extents.map { $0! }
}

/// Parses a memory size such as "8G", "512M", "2.5GB" or "1073741824" (bytes) into bytes.
func parseMemory(_ text: String?, option: String) throws -> Int? {
    guard let text else { return nil }
    let units: [(String, Double)] = [("K", 0x1p10), ("M", 0x1p20), ("G", 0x1p30), ("T", 0x1p40)]
    var number = text.uppercased()
    if number.hasSuffix("B") { number.removeLast() }
    var scale = 1.0
    if let (suffix, factor) = units.first(where: { number.hasSuffix($0.0) }) {
        number.removeLast(suffix.count)
        scale = factor
    }
    guard let value = Double(number), value.isFinite, value > 0, value * scale < 0x1p62 else {
        throw ValidationError("\(option) \"\(text)\" is not a memory size; expected e.g. 8G, 512M or 2.5GB.")
    }
    return Int(value * scale)
}
