import Foundation
import STBPData
import STBPTensor
import Testing

@Suite struct DVSCIFAR10Tests {
    @Test func theSplitTakesTheFirstAndLastFilesOfEachClassBySortedName() throws {
        let root = try temporaryFolder("dvs")
        defer { remove(root) }
        try SyntheticEvents.writeDVSCIFAR10Folder(at: root, samplesPerClass: 5, eventsPerSample: 50, seed: 1)
        let binning = EventBinning(frames: 2, size: .init(height: 32, width: 32))
        let train = try DVSCIFAR10.load(root: root, split: .train, binning: binning, trainPerClass: 3, testPerClass: 2)
        let test = try DVSCIFAR10.load(root: root, split: .test, binning: binning, trainPerClass: 3, testPerClass: 2)
        #expect(train.count == 30 && test.count == 20)
        #expect(train.classNames == CIFAR10.classNames)
        #expect(
            train.files.prefix(3).map(\.lastPathComponent) == [
                "airplane_00000.aedat", "airplane_00001.aedat", "airplane_00002.aedat",
            ])
        #expect(test.files.prefix(2).map(\.lastPathComponent) == ["airplane_00003.aedat", "airplane_00004.aedat"])
        #expect(Set(train.files).isDisjoint(with: test.files))
        let (frames, label) = try test.sample(at: 19)
        #expect(label == 9 && frames.shape == [2, 2, 32, 32] && frames.sum() == 50)
    }

    @Test func aClassWithTooFewFilesOrNoClassesIsAnError() throws {
        let root = try temporaryFolder("dvs-small")
        defer { remove(root) }
        #expect(
            dataError { try DVSCIFAR10.load(root: root, split: .train, binning: EventBinning(frames: 2)) }?.kind
                == .empty)
        try SyntheticEvents.writeDVSCIFAR10Folder(at: root, samplesPerClass: 2, eventsPerSample: 10, seed: 1)
        let error = dataError { try DVSCIFAR10.load(root: root, split: .train, binning: EventBinning(frames: 2)) }
        #expect(error?.kind == .empty && error?.path.hasSuffix("airplane") == true)
        #expect(error?.description.contains("at least 1000 .aedat files") == true)
    }

    @Test func anAEDAT4RecordingIsRejectedNamingTheFile() throws {
        let root = try temporaryFolder("dvs-v4")
        defer { remove(root) }
        try SyntheticEvents.writeDVSCIFAR10Folder(at: root, samplesPerClass: 1, eventsPerSample: 10, seed: 1)
        let file = root.appendingPathComponent("cat/cat_00000.aedat")
        try write(Array("#!AER-DAT4.0\r\n".utf8) + [0, 0, 0, 0], to: file)
        let data = try DVSCIFAR10.load(
            root: root, split: .train, binning: EventBinning(frames: 2), trainPerClass: 1, testPerClass: 0)
        let error = dataError { try data.sample(at: 3) }
        #expect(error?.path == file.path && error?.description.contains("AEDAT 4.0 is not supported yet") == true)
    }
}
