import Foundation
import Testing

/// Runs the package's executables (built next to the test bundle) and captures their output.
enum Executables {
    /// The folder holding the built products.
    static let folder: URL = {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidate = runner.deletingLastPathComponent()
        // On Linux the runner is <products>/<package>PackageTests.xctest; elsewhere it may sit deeper.
        while candidate.path != "/"
            && !FileManager.default.fileExists(atPath: candidate.appendingPathComponent("stbp").path)
        {
            candidate = candidate.deletingLastPathComponent()
        }
        return candidate
    }()

    struct Result {
        let status: Int32
        let output: String
        let error: String
    }

    /// Starts `name` with `arguments`; the caller waits for or signals the process.
    static func start(_ name: String, _ arguments: [String], output: URL, error: URL) throws -> Process {
        let process = Process()
        process.executableURL = folder.appendingPathComponent(name)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: error.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: error)
        try process.run()
        return process
    }

    /// Runs `name` to completion.
    static func run(_ name: String, _ arguments: [String]) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("stbp-exec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out"), err = scratch.appendingPathComponent("err")
        let process = try start(name, arguments, output: out, error: err)
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, output: try String(contentsOf: out, encoding: .utf8),
            error: try String(contentsOf: err, encoding: .utf8))
    }
}

/// A fresh temporary folder, removed by `remove()`.
struct ScratchFolder {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("stbp-test-\(UUID().uuidString)")
    init() throws { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Whether python3 on the PATH can run `import <module>` (a check script's dependency).
func pythonCanImport(_ module: String) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import \(module)"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do {
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    } catch {
        return false
    }
}

/// Runs python3 (from the PATH) with `arguments`: its status and its output and errors together.
func runPython(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}
