import Foundation
import STBPData
import Testing

@Suite struct MNISTTests {
    // Needs ../shared/data/mnist; skipped with a recorded reason when the folder is absent.
    @Test(.enabled(if: hasSharedData, noSharedDataReason))
    func realMNISTHas60000And10000ImagesWithTheKnownFirstLabels() throws {
        let folder = try #require(sharedData).appendingPathComponent("mnist")
        let train = try MNIST.load(folder: folder, split: .train)
        #expect(train.count == 60000)
        #expect(train.sampleShape == [1, 28, 28])
        #expect(Array(train.labels.prefix(10)) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])
        let test = try MNIST.load(folder: folder, split: .test)
        #expect(test.count == 10000)
        let (image, label) = try train.sample(at: 0)
        #expect(label == 5)
        #expect(image.shape == [1, 28, 28])
        #expect(image.min() == 0 && image.max() == 1)
    }

    @Test(.enabled(if: hasSharedData, noSharedDataReason))
    func theRealEightByEightDigitsReadWithTheirOwnScale() throws {
        let folder = try #require(sharedData).appendingPathComponent("digits")
        let digits = try MNIST.load(
            images: folder.appendingPathComponent("digits-images-idx3-ubyte"),
            labels: folder.appendingPathComponent("digits-labels-idx1-ubyte"),
            preprocessing: ImagePreprocessing(maximum: 16))
        #expect(digits.count == 1797 && digits.sampleShape == [1, 8, 8])
        #expect(try digits.sample(at: 0).input.max() <= 1)
    }

    @Test func syntheticGzippedFilesLoadLikeTheRealOnes() throws {
        let folder = try temporaryFolder("mnist")
        defer { remove(folder) }
        try SyntheticImages.writeMNISTFolder(at: folder, trainCount: 30, testCount: 10, seed: 1)
        let train = try MNIST.load(folder: folder, split: .train)
        #expect(train.count == 30 && train.labels.prefix(3) == [0, 1, 2])
        #expect(try MNIST.load(folder: folder, split: .test).count == 10)
    }

    @Test func labelsOutOfRangeAndMismatchedCountsAreRejected() throws {
        let images = IDXArray(dimensions: [2, 2, 2], bytes: [UInt8](repeating: 9, count: 8))
        let badLabels = IDXArray(dimensions: [2], bytes: [3, 12])
        let error = dataError {
            try MNIST.dataset(images: images, imagesPath: "i", labels: badLabels, labelsPath: "labels")
        }
        #expect(error?.kind == .labelOutOfRange && error?.offset == 9 && error?.path == "labels")
        let fewer = IDXArray(dimensions: [1], bytes: [3])
        #expect(
            dataError { try MNIST.dataset(images: images, imagesPath: "i", labels: fewer, labelsPath: "l") }?.kind
                == .badSize)
        #expect(
            dataError { try MNIST.dataset(images: fewer, imagesPath: "i", labels: fewer, labelsPath: "l") }?.kind
                == .badHeader)
    }

    @Test func aFolderWithoutTheFilesThrowsNamingTheMissingFile() throws {
        let folder = try temporaryFolder("mnist-empty")
        defer { remove(folder) }
        let error = dataError { try MNIST.load(folder: folder, split: .test) }
        #expect(error?.path.hasSuffix("t10k-images-idx3-ubyte") == true)
    }
}
