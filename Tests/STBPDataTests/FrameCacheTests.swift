import Foundation
import STBPData
import STBPTensor
import Testing

@Suite struct FrameCacheTests {
    @Test func aStoredEntryIsServedUntilTheSourceChanges() throws {
        let folder = try temporaryFolder("cache")
        defer { remove(folder) }
        let source = folder.appendingPathComponent("a.bin")
        try write([1, 2, 3], to: source)
        let cache = FrameCache(directory: folder.appendingPathComponent("cache"))
        let frames = Tensor(shape: [1, 2, 1, 2], scalars: [0, 3, 255, 1])

        var calls = 0
        let first = try cache.frames(source: source, key: "k") {
            calls += 1; return frames
        }
        let second = try cache.frames(source: source, key: "k") {
            calls += 1; return frames
        }
        #expect(!first.hit && second.hit && calls == 1)
        #expect(second.frames == frames)

        // Same size, new modification time: invalidated.
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: source.path)
        #expect(cache.load(source: source, key: "k") == nil)
        try cache.store(frames, source: source, key: "k")
        #expect(cache.load(source: source, key: "k") == frames)
        // New size: invalidated.
        try write([1, 2, 3, 4], to: source)
        #expect(cache.load(source: source, key: "k") == nil)
    }

    @Test func everyKeyHasItsOwnEntry() throws {
        let folder = try temporaryFolder("cache-keys")
        defer { remove(folder) }
        let source = folder.appendingPathComponent("a.bin")
        try write([9], to: source)
        let cache = FrameCache(directory: folder)
        try cache.store(Tensor([1]), source: source, key: "frames=8")
        try cache.store(Tensor([2]), source: source, key: "frames=16")
        #expect(cache.load(source: source, key: "frames=8") == Tensor([1]))
        #expect(cache.load(source: source, key: "frames=16") == Tensor([2]))
        #expect(cache.load(source: source, key: "frames=4") == nil)
    }

    @Test func valuesThatAreNotBytesAreKeptExactly() throws {
        let folder = try temporaryFolder("cache-float")
        defer { remove(folder) }
        let source = folder.appendingPathComponent("a.bin")
        try write([9], to: source)
        let cache = FrameCache(directory: folder)
        let frames = Tensor([0.5, 300, -1])
        try cache.store(frames, source: source, key: "k")
        #expect(cache.load(source: source, key: "k") == frames)
    }

    @Test func aCorruptEntryIsRebuiltAndNoTemporaryFilesRemain() throws {
        let folder = try temporaryFolder("cache-corrupt")
        defer { remove(folder) }
        let source = folder.appendingPathComponent("a.bin")
        try write([9], to: source)
        let cacheFolder = folder.appendingPathComponent("c")
        let cache = FrameCache(directory: cacheFolder)
        try write([1, 2, 3], to: cache.entryURL(source: source, key: "k"))
        let result = try cache.frames(source: source, key: "k") { Tensor([4]) }
        #expect(!result.hit)
        #expect(cache.load(source: source, key: "k") == Tensor([4]))
        let names = try FileManager.default.contentsOfDirectory(atPath: cacheFolder.path)
        #expect(names.count == 1 && names[0].hasSuffix(".safetensors"))
    }

    @Test func aMissingSourceIsReportedByTheReaderNotCached() throws {
        let folder = try temporaryFolder("cache-missing")
        defer { remove(folder) }
        let cache = FrameCache(directory: folder)
        let missing = folder.appendingPathComponent("gone.bin")
        let error = dataError {
            try cache.frames(source: missing, key: "k") {
                _ = try NMNISTFormat.read(missing); return Tensor([1])
            }
        }
        #expect(error?.kind == .unreadable)
        #expect(throws: DataError.self) { try cache.store(Tensor([1]), source: missing, key: "k") }
    }
}
