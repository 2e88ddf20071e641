import ArgumentParser
import Foundation
import STBP

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page about one or more run folders.",
        discussion: """
            The page shows each run's configuration, its metrics per epoch (losses, accuracies, learning rate, \
            samples per second, firing rate per spiking layer) and every plot (*.svg) in its folder; for several \
            runs it begins with a comparison: a summary, the settings in which they differ, and their test \
            accuracy and loss curves overlaid. The page has no scripts and loads nothing: it can be mailed or \
            archived as it is.
            """)

    @Argument(help: "Run folders, as written by stbp train --output or an example's --output.")
    var runs: [String]

    @Option(help: "The HTML file to write.")
    var output: String

    @Option(help: "The page's title.")
    var title = "Training report"

    func validate() throws {
        guard !runs.isEmpty else { throw ValidationError("Give at least one run folder.") }
        guard !output.isEmpty else { throw ValidationError("--output needs a file name.") }
    }

    func run() throws {
        let report = try RunReport(folders: runs.map { URL(fileURLWithPath: $0) }, title: title)
        try report.write(to: URL(fileURLWithPath: output))
        print("Wrote \(output) (\(runs.count == 1 ? "1 run" : "\(runs.count) runs")).")
    }
}
