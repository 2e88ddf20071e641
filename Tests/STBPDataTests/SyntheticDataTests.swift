import Foundation
import STBPData
import STBPTensor
import Testing

/// The fraction of `test` samples whose nearest class mean (over `train`) has their label.
private func nearestMeanAccuracy(train: any LabelledDataset, test: any LabelledDataset) throws -> Double {
    var sums: [Int: [Float]] = [:]
    var counts: [Int: Float] = [:]
    for i in 0..<train.count {
        let (input, label) = try train.sample(at: i)
        let values = input.scalars
        sums[label] = zip(sums[label] ?? [Float](repeating: 0, count: values.count), values).map { $0 + $1 }
        counts[label, default: 0] += 1
    }
    let means = sums.map { label, sum in (label, sum.map { $0 / (counts[label] ?? 1) }) }
    var correct = 0
    for i in 0..<test.count {
        let (input, label) = try test.sample(at: i)
        let values = input.scalars
        func distance(_ mean: [Float]) -> Float {
            zip(mean, values).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        }
        let best = means.min { distance($0.1) < distance($1.1) }
        if best?.0 == label { correct += 1 }
    }
    return Double(correct) / Double(test.count)
}

@Suite struct SyntheticDataTests {
    @Test func theSameSeedWritesTheSameRecordings() throws {
        var a = SeededGenerator(seed: 3)
        var b = SeededGenerator(seed: 3)
        let first = SyntheticEvents.events(label: 4, sensorSize: 34, count: 100, duration: 1000, using: &a)
        #expect(first == SyntheticEvents.events(label: 4, sensorSize: 34, count: 100, duration: 1000, using: &b))
        #expect(first.map(\.timestamp) == first.map(\.timestamp).sorted())
        #expect(first.allSatisfy { $0.x < 34 && $0.y < 34 && $0.polarity <= 1 })
    }

    @Test func syntheticEventClassesAreSeparableSoASmokeRunCanLearn() throws {
        let root = try temporaryFolder("synthetic-events")
        defer { remove(root) }
        try SyntheticEvents.writeNMNISTFolder(
            at: root, samplesPerClass: 4, testSamplesPerClass: 2, eventsPerSample: 300, seed: 8)
        let binning = EventBinning(frames: 1, size: .init(height: 17, width: 17))
        let train = try NMNIST.load(root: root, split: .train, binning: binning)
        let test = try NMNIST.load(root: root, split: .test, binning: binning)
        #expect(try nearestMeanAccuracy(train: train, test: test) >= 0.9)
    }

    @Test func syntheticDVSRecordingsAreSeparableToo() throws {
        let root = try temporaryFolder("synthetic-dvs")
        defer { remove(root) }
        try SyntheticEvents.writeDVSCIFAR10Folder(at: root, samplesPerClass: 4, eventsPerSample: 400, seed: 8)
        let binning = EventBinning(frames: 1, size: .init(height: 16, width: 16))
        let train = try DVSCIFAR10.load(root: root, split: .train, binning: binning, trainPerClass: 3, testPerClass: 1)
        let test = try DVSCIFAR10.load(root: root, split: .test, binning: binning, trainPerClass: 3, testPerClass: 1)
        #expect(try nearestMeanAccuracy(train: train, test: test) >= 0.9)
    }

    @Test func syntheticImagesAreSeparable() throws {
        let (pixels, labels) = SyntheticImages.images(count: 60, channels: 1, height: 28, width: 28, seed: 2)
        let all = ImageDataset(
            channels: 1, height: 28, width: 28, pixels: pixels, labels: labels, classNames: MNIST.digitNames)
        let (testPixels, testLabels) = SyntheticImages.images(count: 20, channels: 1, height: 28, width: 28, seed: 3)
        let test = ImageDataset(
            channels: 1, height: 28, width: 28, pixels: testPixels, labels: testLabels, classNames: MNIST.digitNames)
        let accuracy = try nearestMeanAccuracy(train: all, test: test)
        #expect(accuracy >= 0.9, "accuracy \(accuracy)")
    }
}
