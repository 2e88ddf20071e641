import Foundation

/// Shows training progress on standard output: a redrawn bar with samples per second, loss,
/// accuracy and time left on a terminal; plain lines every `interval` seconds otherwise (CI logs,
/// redirected output).
public struct ConsoleProgress {
    let isTerminal = isatty(STDOUT_FILENO) != 0
    var lastLine = 0.0
    /// Seconds between plain lines when not on a terminal.
    public var interval: Double
    /// A display that prints a plain line at most every `interval` seconds off a terminal.
    public init(interval: Double = 10) {
        self.interval = interval
    }

    /// Shows one training event.
    public mutating func show(_ event: TrainingEvent) {
        switch event {
        case .step(let step):
            let left = Double(step.batchCount - step.batch - 1) * step.elapsedSeconds / Double(step.batch + 1)
            let status = String(
                format: "loss %.4f  acc %.2f%%  %.1f samples/s  %@ left", step.epochLoss, 100 * step.epochAccuracy,
                step.samplesPerSecond, duration(left))
            if isTerminal {
                let done = Double(step.batch + 1) / Double(step.batchCount)
                let filled = Int(done * 30)
                let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: 30 - filled)
                print(
                    "\r\u{1B}[Kepoch \(step.epoch)/\(step.epochs) \(bar) \(step.batch + 1)/\(step.batchCount)  \(status)",
                    terminator: "")
                fflush(nil)
            } else {
                let now = MonotonicClock.now
                if now - lastLine >= interval || step.batch + 1 == step.batchCount {
                    lastLine = now
                    print("epoch \(step.epoch)/\(step.epochs) batch \(step.batch + 1)/\(step.batchCount)  \(status)")
                    fflush(nil)
                }
            }
        case .epoch(let report, _):
            if isTerminal { print("") }
            var line = String(
                format: "epoch %d/%d  train loss %.4f acc %.2f%%", report.epoch, report.epochs, report.trainLoss,
                100 * report.trainAccuracy)
            if let loss = report.validationLoss, let accuracy = report.validationAccuracy {
                line += String(format: "  validation loss %.4f acc %.2f%%", loss, 100 * accuracy)
            }
            if let loss = report.testLoss, let accuracy = report.testAccuracy {
                line += String(format: "  test loss %.4f acc %.2f%%", loss, 100 * accuracy)
            }
            line += String(
                format: "  %.1f samples/s  %@%@", report.samplesPerSecond, duration(report.seconds),
                report.isBest ? "  (best)" : "")
            print(line)
            fflush(nil)
        case .interrupted(let progress):
            if isTerminal { print("") }
            print("Stopped at epoch \(progress.epoch + 1), batch \(progress.batch); continue with --resume.")
        }
    }

    func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%dh%02dm", s / 3600, s / 60 % 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}
