import Foundation
import STBPData

extension SVGPlot {
    /// Event recordings binned into frames: one row per recording, one panel per equal time
    /// bin, each pixel coloured by its events in the bin: ON only green, OFF only magenta, both
    /// grey, none white (darker for more events, full colour at `saturation` events).
    ///
    /// Each coloured pixel is a `rect` of class `event-pixel` with `data-row`, `data-bin`,
    /// `data-on` and `data-off` (its event counts), which is what tests count.
    public static func eventFrames(
        title: String, recordings: [(name: String, recording: EventRecording)], bins: Int, duration: Int64,
        saturation: Int = 4
    ) -> String {
        precondition(bins > 0 && duration > 0 && saturation > 0, "Frames need bins, time and a scale.")
        let cell = 3.0, gap = 10.0, left = 70.0, top = 60.0
        let size = recordings.map { Double(max($0.recording.width, $0.recording.height)) }.max() ?? 34
        let panel = size * cell
        var body = Self.title(title, width: left + Double(bins) * (panel + gap) + 20)
        for bin in 0..<bins {
            let from = duration * Int64(bin) / Int64(bins), to = duration * Int64(bin + 1) / Int64(bins)
            body += text(
                left + Double(bin) * (panel + gap) + panel / 2, top - 8, "\(from / 1000)-\(to / 1000) ms",
                anchor: "middle", size: 11)
        }
        for (row, entry) in recordings.enumerated() {
            let recording = entry.recording
            let y0 = top + Double(row) * (panel + gap)
            body += text(left - 8, y0 + panel / 2 + 4, escape(entry.name), anchor: "end", size: 12)
            // counts[bin][pixel] = (on, off)
            var counts = Array(
                repeating: Array(repeating: (on: 0, off: 0), count: recording.width * recording.height), count: bins)
            for event in recording.events where event.timestamp >= 0 && event.timestamp < duration {
                let bin = Int(event.timestamp * Int64(bins) / duration)
                let pixel = Int(event.y) * recording.width + Int(event.x)
                if event.polarity == 1 { counts[bin][pixel].on += 1 } else { counts[bin][pixel].off += 1 }
            }
            for bin in 0..<bins {
                let x0 = left + Double(bin) * (panel + gap)
                body += rect(x0, y0, panel, panel, fill: "white", attributes: "stroke=\"#999\"")
                for (pixel, count) in counts[bin].enumerated() where count.on + count.off > 0 {
                    let strength = min(1, Double(count.on + count.off) / Double(saturation))
                    let hue = count.off == 0 ? (0.0, 0.6, 0.2) : count.on == 0 ? (0.8, 0.0, 0.6) : (0.35, 0.35, 0.35)
                    let channel = { (c: Double) in Int((255 * (1 - strength * (1 - c))).rounded()) }
                    let fill = String(format: "#%02x%02x%02x", channel(hue.0), channel(hue.1), channel(hue.2))
                    body += rect(
                        x0 + Double(pixel % recording.width) * cell, y0 + Double(pixel / recording.width) * cell, cell,
                        cell, fill: fill,
                        attributes:
                            "class=\"event-pixel\" data-row=\"\(row)\" data-bin=\"\(bin)\" data-on=\"\(count.on)\" data-off=\"\(count.off)\""
                    )
                }
            }
        }
        let height = top + Double(recordings.count) * (panel + gap) + 24
        body += text(
            left, height - 8, "green: ON (brighter), magenta: OFF (darker), grey: both", anchor: "start", size: 11)
        return document(body, width: left + Double(bins) * (panel + gap) + 20, height: height)
    }
}
