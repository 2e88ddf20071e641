import Foundation
import STBPData
import STBPTensor
import Testing

@Suite struct NMNISTTests {
    @Test func aSyntheticFolderLoadsWithDigitLabelsAndFrameShapes() throws {
        let root = try temporaryFolder("nmnist")
        defer { remove(root) }
        try SyntheticEvents.writeNMNISTFolder(at: root, samplesPerClass: 3, eventsPerSample: 200, seed: 1)
        let binning = EventBinning(frames: 5)
        let train = try NMNIST.load(root: root, split: .train, binning: binning)
        #expect(train.count == 30 && train.labels == (0..<10).flatMap { Array(repeating: $0, count: 3) })
        #expect(train.sampleShape == [5, 2, 34, 34] && train.layout == .eventFrames)
        let test = try NMNIST.load(root: root, split: .test, binning: binning)
        #expect(test.count == 10)
        let (frames, label) = try train.sample(at: 4)
        #expect(label == 1 && frames.shape == [5, 2, 34, 34] && frames.sum() == 200)
        let saccade = try NMNIST.load(root: root, split: .train, binning: binning, firstSaccadeOnly: true)
        #expect(try saccade.sample(at: 4).input.sum() < 200)
    }

    @Test func theCacheServesTheSameFramesAsBinning() throws {
        let root = try temporaryFolder("nmnist-cache")
        defer { remove(root) }
        try SyntheticEvents.writeNMNISTFolder(
            at: root, samplesPerClass: 1, testSamplesPerClass: 1, eventsPerSample: 100, seed: 2)
        let plain = try NMNIST.load(root: root, split: .test, binning: EventBinning(frames: 4, split: .eventCount))
        var cached = plain
        cached.cache = FrameCache(directory: root.appendingPathComponent("cache"))
        for i in 0..<plain.count {
            let expected = try plain.sample(at: i).input
            #expect(try cached.sample(at: i).input == expected)  // fills the cache
            #expect(try cached.sample(at: i).input == expected)  // served from it
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("cache").path).count == 10)
        #expect(plain.cacheKey.contains("nmnist(firstSaccade=false)") && plain.cacheKey.contains("split=eventCount"))
    }

    @Test func missingOrEmptyFoldersThrowNamingThem() throws {
        let root = try temporaryFolder("nmnist-bad")
        defer { remove(root) }
        let missing = dataError { try NMNIST.load(root: root, split: .train, binning: EventBinning(frames: 2)) }
        #expect(missing?.kind == .unreadable && missing?.path.hasSuffix("Train/0") == true)
        for digit in 0..<10 {
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent("Train/\(digit)"), withIntermediateDirectories: true)
        }
        let empty = dataError { try NMNIST.load(root: root, split: .train, binning: EventBinning(frames: 2)) }
        #expect(empty?.kind == .empty && empty?.path.hasSuffix("Train/0") == true)
    }

    @Test func aBadRecordingSurfacesAsAnErrorNamingItsFile() throws {
        let root = try temporaryFolder("nmnist-badfile")
        defer { remove(root) }
        try SyntheticEvents.writeNMNISTFolder(
            at: root, samplesPerClass: 1, testSamplesPerClass: 1, eventsPerSample: 10, seed: 3)
        let broken = root.appendingPathComponent("Test/7/00000.bin")
        try write([1, 2, 3], to: broken)
        let test = try NMNIST.load(root: root, split: .test, binning: EventBinning(frames: 2))
        let error = dataError { try test.sample(at: 7) }
        #expect(error?.path == broken.path && error?.kind == .badSize)
    }
}
