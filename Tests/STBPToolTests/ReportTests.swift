import Foundation
import STBP
import Testing

/// Headless Chromium (Debian's `chromium` package), when it is installed.
enum Chromium {
    static let path: String? = {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            for folder in folders where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                return "\(folder)/\(name)"
            }
        }
        return nil
    }()

    static let missing = Comment(
        rawValue: "Chromium is not installed (apt-get install chromium; .ci/run installs it): the page is not "
            + "rendered in a browser")

    /// Runs headless Chromium on `page` with a profile of its own in `scratch`, logging the page's
    /// console to standard error; stops it after two minutes.
    static func run(_ arguments: [String], page: URL, scratch: ScratchFolder) throws -> Executables.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path!)
        process.arguments =
            [
                "--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-extensions", "--user-data-dir=\(scratch.path("chromium-profile"))",
                "--enable-logging=stderr",
                "--v=0",
            ] + arguments + [page.absoluteString]
        let out = scratch.url.appendingPathComponent("chromium.out"),
            err = scratch.url.appendingPathComponent("chromium.err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            Issue.record("Chromium did not finish within two minutes: \(arguments)")
        }
        process.waitUntilExit()
        return Executables.Result(
            status: process.terminationStatus, output: try String(contentsOf: out, encoding: .utf8),
            error: try String(contentsOf: err, encoding: .utf8))
    }

    /// The page's console messages and uncaught errors in Chromium's log (a page without
    /// scripts has none, unless the browser refused to load or run something).
    static func consoleMessages(_ log: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") || $0.contains("Uncaught") }
    }
}

/// `stbp report`: the page of one or several run folders, rendered by a real browser.
@Suite(.serialized) struct ReportTests {
    /// Makes the quick start's run folder (its smoke mode: a few steps on synthetic MNIST).
    func quickStartRun(in scratch: ScratchFolder, _ name: String, epochs: Int = 1) throws -> String {
        let run = try Executables.run(
            "stbp-quickstart", ["--smoke", "--epochs", "\(epochs)", "--threads", "1", "--output", scratch.path(name)])
        #expect(run.status == 0, "\(run.error)")
        return scratch.path(name)
    }

    /// The inline plots: `<svg>` elements that begin a figure (a plot may hold `<svg>`s of its own).
    func svgCount(_ text: String) -> Int { text.components(separatedBy: "<figure><svg").count - 1 }

    /// CI (.ci/run) installs Chromium and sets STBP_REQUIRE_CHROMIUM, so that the browser tests
    /// cannot be skipped there without a failure.
    @Test func chromiumIsThereWhenItIsRequired() {
        if ProcessInfo.processInfo.environment["STBP_REQUIRE_CHROMIUM"] != nil {
            #expect(Chromium.path != nil, "STBP_REQUIRE_CHROMIUM is set, and no chromium is on PATH")
        }
    }

    @Test(.enabled(if: Chromium.path != nil, Chromium.missing))
    func theQuickStartsReportLoadsInChromiumWithEveryPlot() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let folder = try quickStartRun(in: scratch, "quickstart")
        let plots = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".svg") }
        #expect(plots.count >= 4, "\(plots)")
        let report = try Executables.run("stbp", ["report", folder, "--output", scratch.path("report.html")])
        #expect(report.status == 0, "\(report.error)")
        let page = URL(fileURLWithPath: scratch.path("report.html"))

        let dom = try Chromium.run(["--dump-dom"], page: page, scratch: scratch)
        #expect(dom.status == 0, "\(dom.error)")
        #expect(Chromium.consoleMessages(dom.error).isEmpty, "\(Chromium.consoleMessages(dom.error))")
        // One inline <svg> per plot of the folder, and the run's tables.
        #expect(svgCount(dom.output) == plots.count, "\(svgCount(dom.output)) <svg> for \(plots)")
        for text in ["Metrics per epoch", "32C3-AP2-32C3-AP2-128FC-10", "test accuracy", "firing rate", "loss.svg"] {
            #expect(dom.output.contains(text), "the page lacks \(text)")
        }

        let png = scratch.url.appendingPathComponent("report.png")
        let shot = try Chromium.run(
            ["--hide-scrollbars", "--window-size=1280,2400", "--screenshot=\(png.path)"], page: page, scratch: scratch)
        #expect(shot.status == 0, "\(shot.error)")
        #expect(Chromium.consoleMessages(shot.error).isEmpty, "\(Chromium.consoleMessages(shot.error))")
        let bytes = [UInt8](try Data(contentsOf: png))
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "not a PNG")
        let size = { (offset: Int) in bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        #expect(bytes.count > 24 && size(16) == 1280 && size(20) == 2400)
        // A blank page of this size compresses to about 14 KB; this page's tables and plots to over 100 KB.
        #expect(bytes.count > 40_000, "the screenshot has \(bytes.count) bytes: is the page blank?")
    }

    @Test(.enabled(if: Chromium.path != nil, Chromium.missing))
    func severalRunsAreComparedAndASuspiciousPlotRunsNothing() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let first = try quickStartRun(in: scratch, "one epoch", epochs: 1)
        let second = try quickStartRun(in: scratch, "two epochs", epochs: 2)
        // A plot that tries to run a script, handle an event and load from the network.
        try Data(Self.suspiciousSVG.utf8).write(to: URL(fileURLWithPath: second).appendingPathComponent("odd.svg"))
        let report = try Executables.run(
            "stbp", ["report", first, second, "--output", scratch.path("compare.html"), "--title", "A <b>&</b> B"])
        #expect(report.status == 0, "\(report.error)")

        let dom = try Chromium.run(
            ["--dump-dom"], page: URL(fileURLWithPath: scratch.path("compare.html")), scratch: scratch)
        #expect(dom.status == 0, "\(dom.error)")
        #expect(Chromium.consoleMessages(dom.error).isEmpty, "\(Chromium.consoleMessages(dom.error))")
        #expect(
            !dom.output.contains("<script") && !dom.output.contains("onload") && !dom.output.contains("example.com"))
        #expect(!dom.output.contains("<b>&amp;</b>") && dom.output.contains("A &lt;b&gt;&amp;&lt;/b&gt; B"))
        // Test accuracy, test loss and training loss overlaid, then each run's plots.
        let plots = try [first, second].map { try FileManager.default.contentsOfDirectory(atPath: $0) }
            .joined().filter { $0.hasSuffix(".svg") }
        #expect(svgCount(dom.output) == 3 + plots.count, "\(svgCount(dom.output)) <svg> for \(plots)")
        for text in ["Comparison", "Settings that differ", "Test accuracy", "one epoch", "two epochs"] {
            #expect(dom.output.contains(text), "the page lacks \(text)")
        }
    }

    static let suspiciousSVG = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
        <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="100" \
        onload="alert(1)">
        <!-- a comment -->
        <script>alert(2)</script>
        <defs><clipPath id="plot"><rect width="100" height="50"/></clipPath></defs>
        <image href="https://example.com/x.png" width="10" height="10"/>
        <a href="https://example.com"><text x="5" y="20" onclick="alert(3)">a &lt; b &amp; c &#x3E; d</text></a>
        <rect width="100" height="50" fill="url(#plot)" clip-path="url(#plot)" stroke="url(https://example.com/p)"/>
        <foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><script>alert(4)</script></div></foreignObject>
        <style>text { fill: #333 } rect > title { fill: red }</style>
        <![CDATA[x < y]]>
        </svg>
        """

    @Test func plotsAreRebuiltWithoutScriptsHandlersOrOutsideLinks() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let folder = try quickStartRun(in: scratch, "run")
        try Data(Self.suspiciousSVG.utf8).write(to: URL(fileURLWithPath: folder).appendingPathComponent("odd.svg"))
        try Data("<html><script>alert(5)</script></html>".utf8).write(
            to: URL(fileURLWithPath: folder).appendingPathComponent("not-svg.svg"))
        let html = try RunReport(folders: [URL(fileURLWithPath: folder)]).html
        for banned in [
            "<script", "alert", "onload", "onclick", "example.com", "foreignObject", "<!DOCTYPE svg", "<?xml",
        ] {
            #expect(!html.contains(banned), "the page contains \(banned)")
        }
        // Escaped text, ids prefixed per plot, references to them too, and a scoped style.
        #expect(html.contains("a &lt; b &amp; c &gt; d"))
        #expect(html.contains("x &lt; y"))
        let prefix = try #require(html.firstMatch(of: /id="(r1p[0-9]+-)plot"/)?.1)
        #expect(html.contains("fill=\"url(#\(prefix)plot)\" clip-path=\"url(#\(prefix)plot)\""))
        #expect(
            html.contains("<style>@scope (#\(prefix)svg) {text { fill: #333 } rect &gt; title { fill: red }}</style>"))
        #expect(html.contains("not-svg.svg is not an SVG document and is left out"))
        #expect(html.contains("Content-Security-Policy"))
    }

    @Test func badInputGetsAnErrorNamingTheFolderOrFile() throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let run = try quickStartRun(in: scratch, "run")
        func refused(_ arguments: [String], mentioning words: [String]) throws {
            let result = try Executables.run("stbp", ["report"] + arguments)
            #expect(result.status > 0 && result.status < 128, "status \(result.status): \(result.error)")
            for word in words {
                #expect(result.error.contains(word), "\(arguments) should mention \(word): \(result.error)")
            }
        }
        let output = scratch.path("out.html")
        try refused(
            [scratch.path("missing"), "--output", output], mentioning: [scratch.path("missing"), "no such folder"])
        try refused([run + "/loss.svg", "--output", output], mentioning: ["loss.svg", "not a folder"])
        try FileManager.default.createDirectory(atPath: scratch.path("empty"), withIntermediateDirectories: true)
        try refused(
            [scratch.path("empty"), "--output", output], mentioning: [scratch.path("empty"), "configuration.json"])
        try FileManager.default.copyItem(atPath: run, toPath: scratch.path("no-metrics"))
        try FileManager.default.removeItem(atPath: scratch.path("no-metrics/metrics.jsonl"))
        try refused(
            [scratch.path("no-metrics"), "--output", output], mentioning: [scratch.path("no-metrics"), "metrics.jsonl"])
        try FileManager.default.copyItem(atPath: run, toPath: scratch.path("bad-json"))
        try Data("{\"configuration\": ".utf8).write(
            to: URL(fileURLWithPath: scratch.path("bad-json/configuration.json")))
        try refused(
            [scratch.path("bad-json"), "--output", output],
            mentioning: [scratch.path("bad-json/configuration.json"), "not JSON"])
        try refused([run], mentioning: ["--output"])
        try refused(["--output", output], mentioning: ["<runs>"])
        // An output that cannot be written: its folder would have to be made inside a file.
        let blocked = scratch.path("run/loss.svg/report.html")
        try refused([run, "--output", blocked], mentioning: [blocked, "cannot create the folder"])
        // An output that is a folder.
        try refused([run, "--output", run], mentioning: [run])
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(try FileManager.default.contentsOfDirectory(atPath: run).allSatisfy { !$0.hasSuffix(".tmp") })

        // A partial last line of metrics.jsonl (a run killed while writing it) is left out and noted.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: run + "/metrics.jsonl"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"kind\":\"epo".utf8))
        try handle.close()
        let written = try Executables.run("stbp", ["report", run, "--output", output])
        #expect(written.status == 0, "\(written.error)")
        #expect(try String(contentsOfFile: output, encoding: .utf8).contains("1 line of metrics.jsonl is not JSON"))
    }
}
