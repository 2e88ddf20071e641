import Foundation
import STBPTensor
import Testing

/// The folder of committed fixtures next to this file.
private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// A fresh temporary folder for one test.
private func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("stbp-safetensors-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A safetensors file built by hand: the header JSON as given, then `data`.
private func handMade(_ json: String, data: [UInt8] = []) -> Data {
    let header = Array(json.utf8)
    var bytes = Data()
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
    bytes.append(contentsOf: header)
    bytes.append(contentsOf: data)
    return bytes
}

/// The error that decoding `data` throws, or nil when it decodes.
private func decodingError(_ data: Data) -> SafeTensorsError? {
    do {
        _ = try SafeTensors(decoding: data, path: "test.safetensors")
        return nil
    } catch let error as SafeTensorsError {
        return error
    } catch {
        Issue.record("unexpected error type \(error)")
        return nil
    }
}

/// Whether python3 with the safetensors package can be run here.
private let pythonHasSafetensors: Bool = {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import safetensors, numpy"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do {
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    } catch {
        return false
    }
}()

@Suite struct SafeTensorsTests {
    let sample = SafeTensors(
        entries: [
            "layers.0.weight": .float32(Tensor(shape: [2, 3], scalars: [1, -2, 3.5, 0, .infinity, -0.25])),
            "layers.0.bias": .float32(Tensor(shape: [2], scalars: [0.5, -0.5])),
            "labels": .int64(shape: [4], values: [3, 1, -4, Int64.max]),
            "counts": .int32(shape: [2, 1], values: [7, Int32.min]),
            "mask": .uint8(shape: [3], values: [0, 1, 255]),
            "empty": .float32(Tensor(zeros: [0, 4])),
            "scalar": .float32(Tensor(scalar: 42)),
        ],
        metadata: ["epoch": "3", "note": "quote \" backslash \\ newline \n tab \t ü"])

    @Test func whatIsWrittenReadsBackUnchanged() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("checkpoint.safetensors")
        try sample.write(to: url)
        let read = try SafeTensors(contentsOf: url)
        #expect(read == sample)
        #expect(read.float32("layers.0.weight")?.shape == [2, 3])
        #expect(read.int64("labels") == [3, 1, -4, Int64.max])
        #expect(read.int32("counts") == [7, Int32.min])
        #expect(read.uint8("mask") == [0, 1, 255])
        #expect(read.float32("labels") == nil)
        #expect(read.metadata["note"] == sample.metadata["note"])
    }

    @Test func theHeaderIsPaddedToEightBytesAndTheDataIsLittleEndian() throws {
        let file = SafeTensors(entries: ["x": .float32(Tensor([1]))])
        let bytes = [UInt8](file.encoded())
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
        #expect(headerLength % 8 == 0)
        #expect(Array(bytes.suffix(4)) == [0x00, 0x00, 0x80, 0x3F])
    }

    @Test func aFileWrittenByPythonReads() throws {
        let read = try SafeTensors(contentsOf: fixtures.appendingPathComponent("python_written.safetensors"))
        #expect(read.float32("weight") == Tensor(shape: [2, 3], scalars: [-0.5, -0.25, 0, 0.25, 0.5, 0.75]))
        #expect(read.int64("labels") == [3, 1, 4, 1, 5])
        #expect(read.int32("counts") == [7, -8])
        #expect(read.entries["counts"]?.shape == [1, 2])
        #expect(read.float32("empty")?.shape == [0, 3])
        #expect(read.metadata == ["epoch": "2", "note": "written by safetensors.numpy"])
    }

    // Skipped (with a recorded reason) when python3 or its safetensors package is missing.
    @Test(.enabled(if: pythonHasSafetensors, "python3 with safetensors and numpy is not available"))
    func pythonReadsAFileWrittenBySwift() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("from-swift.safetensors")
        try sample.write(to: url)
        let script = """
            import sys, numpy as np
            from safetensors import safe_open
            with safe_open(sys.argv[1], "np") as f:
                m = f.metadata()
                w = f.get_tensor("layers.0.weight")
                assert w.dtype == np.float32 and w.shape == (2, 3), w
                assert w.tolist() == [[1, -2, 3.5], [0, float("inf"), -0.25]], w
                assert f.get_tensor("labels").tolist() == [3, 1, -4, 2**63 - 1]
                assert f.get_tensor("counts").dtype == np.int32
                assert f.get_tensor("counts").tolist() == [[7], [-2**31]]
                assert f.get_tensor("mask").tolist() == [0, 1, 255]
                assert f.get_tensor("empty").shape == (0, 4)
                assert f.get_tensor("scalar").shape == ()
                assert m["epoch"] == "3" and m["note"].endswith("tab \\t ü"), m
            print("ok")
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, url.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "python said: \(text)")
    }

    @Test func aHeaderLengthPastTheFileIsRejectedBeforeAnythingIsAllocated() {
        var bytes = Data([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        bytes.append(contentsOf: Array("{}".utf8))
        let error = decodingError(bytes)
        #expect(error?.description.contains("runs past the end of the file") == true)
        #expect(error?.path == "test.safetensors")
        #expect(decodingError(Data([1, 2, 3]))?.description.contains("8-byte header length") == true)
    }

    @Test func unknownDtypesAreRejectedNamingTheTensor() {
        let error = decodingError(handMade(#"{"w":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}"#, data: [0, 0]))
        #expect(error?.tensor == "w")
        #expect(error?.description.contains("unsupported dtype 'BF16'") == true)
    }

    @Test func overlappingOffsetsAreRejected() {
        let json =
            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
            + #""b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        let error = decodingError(handMade(json, data: Array(repeating: 0, count: 8)))
        #expect(error?.tensor == "b")
        #expect(error?.description.contains("overlap") == true)
    }

    @Test func offsetsPastTheDataAreRejected() {
        let json = #"{"a":{"dtype":"F32","shape":[1000000000],"data_offsets":[0,4000000000]}}"#
        let error = decodingError(handMade(json, data: [0, 0, 0, 0]))
        #expect(error?.description.contains("run past the end of the data") == true)
    }

    @Test func offsetsThatDoNotStartAtZeroOrLeaveAGapAreRejected() {
        let late = decodingError(handMade(#"{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#, data: [0, 0]))
        #expect(late?.description.contains("gap") == true)
        let json =
            #"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"#
            + #""b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}}"#
        #expect(decodingError(handMade(json, data: [0, 0, 0]))?.tensor == "b")
        let trailing = decodingError(handMade(#"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#, data: [0, 9]))
        #expect(trailing?.description.contains("cover 1 bytes of data but the file holds 2") == true)
    }

    @Test func shapesThatDoNotMatchTheByteCountAreRejected() {
        let eight = [UInt8](repeating: 0, count: 8)
        let error = decodingError(handMade(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: eight))
        #expect(error?.tensor == "a")
        #expect(error?.description.contains("needs 12 bytes") == true)
        let huge = #"{"a":{"dtype":"I64","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#
        #expect(decodingError(handMade(huge, data: eight))?.description.contains("too many") == true)
        let negative = #"{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}}"#
        #expect(decodingError(handMade(negative))?.description.contains("negative") == true)
    }

    @Test func malformedJsonAndMetadataAreRejected() {
        #expect(decodingError(handMade("{\"a\":"))?.offset == 8)
        #expect(decodingError(handMade("[1, 2]"))?.description.contains("start with '{'") == true)
        #expect(decodingError(handMade(#"{"__metadata__":{"epoch":3}}"#))?.description.contains("__metadata__") == true)
        #expect(decodingError(handMade(#"{"a":{"dtype":"F32","shape":[1]}}"#))?.tensor == "a")
        #expect(decodingError(handMade(#"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#)) != nil)
    }

    @Test func writingReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("c.safetensors")
        try SafeTensors(entries: ["x": .float32(Tensor([1, 2]))]).write(to: url)
        try SafeTensors(entries: ["y": .int64(shape: [1], values: [5])]).write(to: url)
        #expect(try SafeTensors(contentsOf: url).int64("y") == [5])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["c.safetensors"])
        let missing = folder.appendingPathComponent("no-such-folder/c.safetensors")
        #expect(throws: SafeTensorsError.self) { try SafeTensors(contentsOf: missing) }
        // A file where its folder should be, and a folder where the file should be: nothing written, nothing left.
        #expect(throws: FileWriteError.self) {
            try SafeTensors(entries: [:]).write(to: url.appendingPathComponent("d.safetensors"))
        }
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("e.safetensors"), withIntermediateDirectories: false)
        #expect(throws: FileWriteError.self) {
            try SafeTensors(entries: [:]).write(to: folder.appendingPathComponent("e.safetensors"))
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == [
                "c.safetensors", "e.safetensors",
            ])
        // A missing folder is created.
        try SafeTensors(entries: ["x": .float32(Tensor([3]))]).write(to: missing)
        #expect(try SafeTensors(contentsOf: missing).float32("x") == Tensor([3]))
    }
}
