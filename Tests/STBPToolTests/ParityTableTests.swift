import Foundation
import Testing

/// Scripts/reference/parity_table.py reads the runs Scripts/parity.sh writes and compares the
/// two frameworks' mean curves with the spread of their seeds.
struct ParityTableTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Scripts/reference/parity_table.py").standardizedFileURL.path

    /// Writes seeds' runs with these test accuracies per epoch: stbp train's metrics.jsonl and
    /// train_reference.py's JSON lines.
    static func writeRuns(swift: [[Double]], pytorch: [[Double]], in scratch: ScratchFolder) throws {
        for (seed, curve) in swift.enumerated() {
            let folder = scratch.url.appendingPathComponent("swift-seed-\(seed)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let lines = curve.enumerated().flatMap { epoch, accuracy in
                [
                    "{\"kind\":\"step\",\"epoch\":\(epoch + 1),\"loss\":0.1}",
                    "{\"kind\":\"epoch\",\"epoch\":\(epoch + 1),\"test_accuracy\":\(accuracy)}",
                ]
            }
            try (lines.joined(separator: "\n") + "\n").write(
                to: folder.appendingPathComponent("metrics.jsonl"), atomically: true, encoding: .utf8)
        }
        for (seed, curve) in pytorch.enumerated() {
            let lines = curve.enumerated().map { epoch, accuracy in
                "{\"framework\":\"pytorch\",\"seed\":\(seed),\"epoch\":\(epoch + 1),\"test_accuracy\":\(accuracy)}"
            }
            try (lines.joined(separator: "\n") + "\n").write(
                to: scratch.url.appendingPathComponent("pytorch-seed-\(seed).jsonl"), atomically: true,
                encoding: .utf8)
        }
    }

    @Test func meansWithinTheSpreadOfTheSeedsAgreeAndOthersDoNot() throws {
        guard pythonCanImport("statistics") else {
            Issue.record("python3 is not on the PATH: parity_table.py cannot be checked")
            return
        }
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        // Epoch 1: means 0.91 and 0.92, ranges 2 and 1 points: within. Epoch 2: 0.96 and 0.90: not.
        try Self.writeRuns(
            swift: [[0.90, 0.95], [0.92, 0.97]], pytorch: [[0.915, 0.89], [0.925, 0.91]], in: scratch)
        let result = try runPython([Self.script, scratch.url.path, "--markdown"])
        #expect(result.status == 1, "\(result.output)")
        let rows = result.output.split(separator: "\n").filter { $0.hasPrefix("| 1 ") || $0.hasPrefix("| 2 ") }
        #expect(rows.count == 2, "\(result.output)")
        #expect(rows.first?.contains("91.00 ± 1.41 [90.00, 92.00]") == true, "\(result.output)")
        #expect(rows.first?.contains("| -1.00 | 2.00 | yes |") == true, "\(result.output)")
        #expect(rows.last?.contains("| +6.00 | 2.00 | no |") == true, "\(result.output)")

        let missing = try runPython([Self.script, scratch.url.appendingPathComponent("none").path])
        #expect(missing.status != 0 && missing.output.contains("needs swift-seed-"), "\(missing.output)")
    }
}
