import Foundation
import Testing

/// The documented way to use the library from a Swift script works: Scripts/run-script.sh builds
/// the shared library and runs Examples/Scripts/spiking_xor.swift with the interpreter.
@Suite(.serialized) struct ScriptTests {
    @Test func theExampleScriptLearnsXOR() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
            .standardizedFileURL
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [root.path + "/Scripts/run-script.sh", root.path + "/Examples/Scripts/spiking_xor.swift"]
        // A debug build in its own folder: `swift test` holds the lock of the default one.
        var environment = ProcessInfo.processInfo.environment
        environment["STBP_CONFIGURATION"] = "debug"
        environment["STBP_SCRATCH_PATH"] = root.path + "/.build-scripts"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(
            text.contains("step 300")
                && text.split(separator: "\n").last?.hasSuffix("predictions [0, 1, 1, 0]") == true, "\(text)")
    }

    @Test func theExtendingArticlesCodeCompiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
            .standardizedFileURL
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [root.path + "/Scripts/check-docs.sh"]
        var environment = ProcessInfo.processInfo.environment
        environment["STBP_CONFIGURATION"] = "debug"
        environment["STBP_SCRATCH_PATH"] = root.path + "/.build-scripts"
        process.environment = environment
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let errors = scratch.url.appendingPathComponent("errors")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let problems = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 0, "\(problems)")
        #expect(text.contains("Extending.md: its Swift code compiles"), "\(text)")
    }
}
