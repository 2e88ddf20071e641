import Foundation
import STBPData
import Testing

@Suite struct CIFAR10Tests {
    // Needs ../shared/data/cifar10-sample; skipped with a recorded reason when absent.
    @Test(.enabled(if: hasSharedData, noSharedDataReason))
    func theTwentyRealTestImagesHaveTheirKnownLabels() throws {
        let file = try #require(sharedData).appendingPathComponent("cifar10-sample/test_batch_first20.bin")
        let images = try CIFAR10.load(files: [file], preprocessing: .unitRange)
        #expect(images.labels == [3, 8, 8, 0, 6, 6, 1, 6, 3, 1, 0, 9, 5, 7, 9, 8, 5, 7, 8, 6])
        #expect(images.sampleShape == [3, 32, 32])
        let raw = try Data(contentsOf: file)
        let (first, _) = try images.sample(at: 0)
        #expect(first[0, 0, 0] == Float(raw[1]) / 255)  // red plane, first pixel
        #expect(first[2, 31, 31] == Float(raw[3072]) / 255)  // blue plane, last pixel
    }

    @Test func aSyntheticFolderLoadsBothSplitsWithTheClassNamesFromMeta() throws {
        let folder = try temporaryFolder("cifar")
        defer { remove(folder) }
        try SyntheticImages.writeCIFAR10Folder(at: folder, recordsPerBatch: 4, testCount: 3, seed: 5)
        let train = try CIFAR10.load(folder: folder, split: .train)
        #expect(train.count == 20 && train.classNames == CIFAR10.classNames)
        #expect(try CIFAR10.load(folder: folder, split: .test).count == 3)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("data_batch_3.bin"))
        #expect(
            dataError { try CIFAR10.load(folder: folder, split: .train) }?.path.hasSuffix("data_batch_3.bin") == true)
    }

    @Test func recordSizesThatDoNotDivideTheFileAreRejectedAtTheLeftoverByte() {
        let error = dataError { try CIFAR10.decode([UInt8](repeating: 0, count: 3073 + 10), path: "c.bin") }
        #expect(error?.kind == .badSize && error?.offset == 3073 && error?.path == "c.bin")
        #expect(dataError { try CIFAR10.decode([], path: "e.bin") }?.kind == .empty)
    }

    @Test func labelsOutOfRangeAreRejectedAtTheirRecord() {
        var bytes = [UInt8](repeating: 0, count: 3073 * 3)
        bytes[3073 * 2] = 10
        let error = dataError { try CIFAR10.decode(bytes, path: "l.bin") }
        #expect(error?.kind == .labelOutOfRange && error?.offset == 6146)
    }

    @Test func encodedRecordsDecodeToTheSamePixelsAndLabels() throws {
        let (pixels, labels) = SyntheticImages.images(count: 3, channels: 3, height: 32, width: 32, seed: 1)
        let decoded = try CIFAR10.decode(CIFAR10.encode(pixels: pixels, labels: labels), path: "r")
        #expect(decoded.pixels == pixels && decoded.labels == labels)
    }

    @Test func aShortClassListInTheMetaFileIsRejected() throws {
        let folder = try temporaryFolder("cifar-meta")
        defer { remove(folder) }
        let meta = folder.appendingPathComponent("batches.meta.txt")
        try write(Array("cat\ndog\n".utf8), to: meta)
        #expect(dataError { try CIFAR10.readClassNames(meta) }?.kind == .badSize)
    }
}
