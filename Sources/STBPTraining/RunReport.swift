import Foundation
import STBPNetwork
import STBPTensor

/// One self-contained HTML page about one or more run folders: each run's configuration, its
/// metrics per epoch, every plot in the folder, and, for several runs, their curves overlaid.
///
/// The page needs nothing but itself: no scripts, no fonts, no network; the folders' SVG plots
/// are inlined, rebuilt element by element from a list of drawing elements and attributes
/// (anything else, such as a script, an event handler or an outside link, is left out), and a
/// Content-Security-Policy forbids the browser to load or run anything besides the page.
///
///     let report = try RunReport(folders: [URL(fileURLWithPath: "runs/mnist")])
///     try report.write(to: URL(fileURLWithPath: "mnist.html"))
public struct RunReport: Sendable {
    /// The page's heading and title.
    public var title: String
    /// The runs, in the order given.
    public let runs: [Run]

    /// Reads every folder in `folders`; throws `RunReportError` naming the first folder or file
    /// that is missing or unreadable.
    public init(folders: [URL], title: String = "Training report") throws(RunReportError) {
        guard !folders.isEmpty else { throw RunReportError(path: "", "no run folder given") }
        var runs: [Run] = []
        for folder in folders { runs.append(try Run(folder: folder)) }
        self.title = title
        self.runs = Self.distinctNames(runs)
    }

    /// Writes the page (`html`) whole or not at all; the error names `url`.
    public func write(to url: URL) throws(FileWriteError) {
        do {
            try AtomicFile.write(Data(html.utf8), to: url)
        } catch {
            // AtomicFile names its temporary file when it cannot create it; the user gave `url`.
            throw FileWriteError(path: url.path, error.reason)
        }
    }

    /// Gives runs with the same folder name the folder's parent too, then a number.
    static func distinctNames(_ runs: [Run]) -> [Run] {
        var runs = runs
        let names = runs.map(\.name)
        for index in runs.indices where names.filter({ $0 == names[index] }).count > 1 {
            let parent = runs[index].folder.deletingLastPathComponent().lastPathComponent
            runs[index].name = parent.isEmpty ? runs[index].name : "\(parent)/\(runs[index].name)"
        }
        var seen: [String: Int] = [:]
        for index in runs.indices {
            seen[runs[index].name, default: 0] += 1
            if let count = seen[runs[index].name], count > 1 { runs[index].name += " (\(count))" }
        }
        return runs
    }

    /// One run folder, read.
    public struct Run: Sendable {
        /// The folder.
        public let folder: URL
        /// The run's name on the page: the folder's name (made distinct among a report's runs).
        public internal(set) var name: String
        /// Every record of metrics.jsonl ("kind" "step" or "epoch"), in order.
        public let metrics: [[String: MetricValue]]
        /// The lines of metrics.jsonl that are not a JSON object (a run killed while writing
        /// one leaves a partial last line); they are left out and counted.
        public let skippedMetricLines: Int
        /// The SVG files of the folder, by name: the usual plots first (loss, accuracy, firing
        /// rates, raster), then the others alphabetically.
        public let plots: [(name: String, svg: String)]
        /// configuration.json, parsed.
        let configuration: JSONValue

        /// The records of kind "epoch", in order.
        public var epochs: [[String: MetricValue]] { metrics.filter { $0["kind"] == "epoch" } }

        /// Reads the run in `folder`: configuration.json and metrics.jsonl must be there (and
        /// configuration.json must be JSON); every *.svg file is taken as a plot.
        public init(folder: URL) throws(RunReportError) {
            let folder = folder.standardizedFileURL
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) else {
                throw RunReportError(path: folder.path, "no such folder")
            }
            guard isFolder.boolValue else {
                throw RunReportError(path: folder.path, "not a folder; give a run folder (stbp train --output DIR)")
            }
            let run = RunFolder(uncreated: folder)
            for file in [run.configurationURL, run.metricsURL]
            where !FileManager.default.fileExists(atPath: file.path) {
                throw RunReportError(
                    path: folder.path,
                    "not a run folder: it has no \(file.lastPathComponent) (a run folder is what stbp train --output "
                        + "or an example's --output writes)")
            }
            let configurationData: Data, metricsData: Data
            do {
                configurationData = try Data(contentsOf: run.configurationURL)
                metricsData = try Data(contentsOf: run.metricsURL)
            } catch {
                throw RunReportError(path: folder.path, "cannot read the run's files (\(error.localizedDescription))")
            }
            do {
                configuration = try JSONDecoder().decode(JSONValue.self, from: configurationData)
            } catch {
                throw RunReportError(path: run.configurationURL.path, "not JSON (\(Self.reason(error)))")
            }
            var records: [[String: MetricValue]] = [], skipped = 0
            for line in metricsData.split(separator: 0x0A) where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) {
                if let record = try? JSONDecoder().decode([String: MetricValue].self, from: Data(line)) {
                    records.append(record)
                } else {
                    skipped += 1
                }
            }
            var plots: [(name: String, svg: String)] = []
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            let usual = ["loss.svg", "accuracy.svg", "firing-rates.svg", "raster.svg"]
            let svgNames = names.filter { $0.lowercased().hasSuffix(".svg") && !$0.hasPrefix(".") }
                .sorted { a, b in
                    let (ia, ib) = (usual.firstIndex(of: a) ?? usual.count, usual.firstIndex(of: b) ?? usual.count)
                    return ia != ib ? ia < ib : a < b
                }
            for name in svgNames {
                let url = folder.appendingPathComponent(name)
                guard let data = try? Data(contentsOf: url) else {
                    throw RunReportError(path: url.path, "cannot read the plot")
                }
                plots.append((name, String(decoding: data, as: UTF8.self)))
            }
            self.folder = folder
            self.name = folder.lastPathComponent
            self.metrics = records
            self.skippedMetricLines = skipped
            self.plots = plots
        }

        static func reason(_ error: Error) -> String {
            if case DecodingError.dataCorrupted(let context) = error {
                return (context.underlyingError.map { "\($0)" } ?? context.debugDescription)
            }
            return "\(error)"
        }
    }
}

/// A run folder or file that a report cannot use: the path and what is wrong with it.
public struct RunReportError: Error, CustomStringConvertible, Equatable {
    /// The folder or file.
    public let path: String
    /// What is wrong.
    public let reason: String

    /// An error about `path`.
    public init(path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    /// "<path>: <reason>.", or the reason alone when there is no path.
    public var description: String {
        path.isEmpty ? "\(reason.prefix(1).uppercased())\(reason.dropFirst())." : "\(path): \(reason)."
    }
}

extension RunFolder {
    /// The run folder at `url`, which must exist: the report only reads it.
    init(uncreated url: URL) { self.url = url }
}
