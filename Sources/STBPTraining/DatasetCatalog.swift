import Foundation
import STBPData
import STBPNetwork

/// The data sets the tool and the examples know by name, with their file layouts and where
/// they are published.
public enum DatasetKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// MNIST: 28x28 handwritten digits in IDX files.
    case mnist
    /// Fashion-MNIST: 28x28 clothing images in MNIST's IDX layout.
    case fashionMNIST = "fashion-mnist"
    /// CIFAR-10: 32x32 colour images in the binary version's batches.
    case cifar10
    /// N-MNIST: saccade recordings of MNIST digits, 34x34 events.
    case nmnist
    /// CIFAR10-DVS: DVS128 recordings of CIFAR-10 images in AEDAT 2.0 files.
    case dvsCIFAR10 = "dvs-cifar10"

    /// The number of classes: ten for each of these data sets.
    public var classCount: Int { 10 }

    /// Whether samples are event frames [T, 2, H, W] (else static images).
    public var isEventData: Bool { self == .nmnist || self == .dvsCIFAR10 }

    /// Where to get the data and which folder layout the reader expects.
    public var howToGet: String {
        switch self {
        case .mnist:
            "MNIST is published at https://yann.lecun.com/exdb/mnist/ (mirrors: https://ossci-datasets.s3.amazonaws.com/mnist/). "
                + "The folder must hold train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and "
                + "t10k-labels-idx1-ubyte, gzipped (.gz) or not."
        case .fashionMNIST:
            "Fashion-MNIST is published at https://github.com/zalandoresearch/fashion-mnist. The folder must hold "
                + "the four IDX files with MNIST's names (train-images-idx3-ubyte.gz, ...), gzipped or not."
        case .cifar10:
            "CIFAR-10 (binary version) is published at https://www.cs.toronto.edu/~kriz/cifar.html "
                + "(cifar-10-binary.tar.gz). The folder must hold data_batch_1.bin ... data_batch_5.bin and "
                + "test_batch.bin (batches.meta.txt optional)."
        case .nmnist:
            "N-MNIST is published at https://www.garrickorchard.com/datasets/n-mnist (Train.zip, Test.zip). The "
                + "folder must hold Train/ and Test/, each with subfolders 0 ... 9 of .bin files."
        case .dvsCIFAR10:
            "CIFAR10-DVS is published at https://figshare.com/articles/dataset/CIFAR10-DVS_New/4724671. The folder "
                + "must hold one subfolder per class (airplane, automobile, ...) of AEDAT 2.0 .aedat files."
        }
    }
}

/// How a named data set is read.
public struct DatasetOptions: Sendable, Hashable {
    /// Frames per event recording (T for event data).
    public var timeSteps: Int
    /// Random crop and horizontal flip of training images (CIFAR-10).
    public var augment: Bool
    /// Cut recordings by equal time or equal event count.
    public var eventSplit: EventBinning.Split
    /// Event counts or clipped to 1.
    public var eventValues: EventBinning.Values
    /// The frame size of DVS-CIFAR10 after downsampling 128 x 128 by summing blocks.
    public var dvsFrameSize: Int
    /// N-MNIST: only the first saccade (the first 100 ms).
    public var firstSaccadeOnly: Bool
    /// DVS-CIFAR10: training recordings per class (the first by sorted name).
    public var trainPerClass: Int
    /// DVS-CIFAR10: test recordings per class (the last by sorted name).
    public var testPerClass: Int
    /// A folder for cached binned frames, or nil for no cache.
    public var cacheFolder: URL?
    /// Use at most this many training samples, for quick runs: the first ones of image sets
    /// (stored in random order), evenly spaced ones of event sets (stored by class).
    public var trainLimit: Int?
    /// Use at most this many test samples, chosen as `trainLimit`'s.
    public var testLimit: Int?
    /// MNIST and Fashion-MNIST: shift each training image by up to this many pixels in each
    /// direction at random (a crop with this much zero padding, no flip); 0 for none.
    public var shift: Int

    /// Defaults: T 8, augmentation on, equal-time bins of clipped counts, DVS frames 48 x 48,
    /// all three saccades, the 900/100 split, no cache.
    public init(
        timeSteps: Int = 8, augment: Bool = true, eventSplit: EventBinning.Split = .time,
        eventValues: EventBinning.Values = .binary, dvsFrameSize: Int = 48, firstSaccadeOnly: Bool = false,
        trainPerClass: Int = 900, testPerClass: Int = 100, cacheFolder: URL? = nil, trainLimit: Int? = nil,
        testLimit: Int? = nil, shift: Int = 0
    ) {
        self.timeSteps = timeSteps
        self.augment = augment
        self.eventSplit = eventSplit
        self.eventValues = eventValues
        self.dvsFrameSize = dvsFrameSize
        self.firstSaccadeOnly = firstSaccadeOnly
        self.trainPerClass = trainPerClass
        self.testPerClass = testPerClass
        self.cacheFolder = cacheFolder
        self.trainLimit = trainLimit
        self.testLimit = testLimit
        self.shift = shift
    }

    /// Throws `InvalidArgument` for a count out of range: T, the limits and the per-class counts
    /// from 1, the DVS-CIFAR10 frame size in 1...128 (the sensor's), the shift in 0...14. `names`
    /// maps a setting ("dvsFrameSize") to its flag.
    public func check(names: [String: String] = [:]) throws {
        func name(_ setting: String) -> String { names[setting] ?? "dataset options' \(setting)" }
        try ArgumentCheck.count(name("timeSteps"), timeSteps)
        try ArgumentCheck.count(name("dvsFrameSize"), dvsFrameSize, 1...128)
        try ArgumentCheck.count(name("trainPerClass"), trainPerClass)
        try ArgumentCheck.count(name("testPerClass"), testPerClass)
        try ArgumentCheck.count(name("trainLimit"), trainLimit)
        try ArgumentCheck.count(name("testLimit"), testLimit)
        try ArgumentCheck.count(name("shift"), shift, 0...14)
    }
}

/// A data set's training and test parts.
public struct DatasetSplits: Sendable {
    /// The training samples.
    public let train: any LabelledDataset
    /// The test samples.
    public let test: any LabelledDataset
    /// One sample per step: [C, H, W].
    public var inputShape: [Int] { Array(train.sampleShape.suffix(3)) }
    /// The frames T of an event sample [T, C, H, W]; nil for static images.
    public var frames: Int? { train.sampleShape.count == 4 ? train.sampleShape[0] : nil }
    /// The class names.
    public var classNames: [String] { train.classNames }
}

extension DatasetSplits {
    /// Throws `TrainingError.mismatch` unless both parts have samples, of one shape, that
    /// `network` takes, and their classes are the network's; `dataset` names the data.
    public func check(fits network: Network, dataset: String) throws {
        let name = network.spec?.text ?? "The network"
        guard train.count > 0, test.count > 0 else {
            throw TrainingError.mismatch(
                "The \(dataset) data has \(train.count) training and \(test.count) test samples; at least one of "
                    + "each is needed.")
        }
        guard train.sampleShape == test.sampleShape else {
            throw TrainingError.mismatch(
                "The \(dataset) training samples have shape \(train.sampleShape) but its test samples "
                    + "\(test.sampleShape); both parts must have one shape.")
        }
        guard inputShape == network.inputShape else {
            throw TrainingError.mismatch(
                "\(name) takes samples of shape \(network.inputShape) per step but the \(dataset) data has "
                    + "\(inputShape).")
        }
        guard network.classes == classNames.count else {
            throw TrainingError.mismatch(
                "\(name) scores \(network.classes) classes but the \(dataset) data has \(classNames.count).")
        }
    }
}

/// A data folder that is missing: says where the data is published and the layout expected.
public struct DatasetMissingError: Error, CustomStringConvertible {
    /// The data set.
    public let kind: DatasetKind
    /// The folder that is missing.
    public let folder: String
    /// What is missing, where the data is published and the layout expected.
    public var description: String {
        "No \(kind.rawValue) data at \(folder). \(kind.howToGet)"
    }
}

extension DatasetKind {
    /// Reads the training and test parts from `folder`.
    public func load(from folder: URL, options: DatasetOptions = DatasetOptions()) throws -> DatasetSplits {
        try options.check()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw DatasetMissingError(kind: self, folder: folder.path)
        }
        let cache = options.cacheFolder.map { FrameCache(directory: $0) }
        var binning = EventBinning(frames: options.timeSteps, split: options.eventSplit, values: options.eventValues)
        let splits: DatasetSplits
        switch self {
        case .mnist, .fashionMNIST:
            let shifted = ImagePreprocessing(
                augmentation: options.shift > 0 ? .init(padding: options.shift, horizontalFlip: false) : nil)
            splits = DatasetSplits(
                train: try MNIST.load(folder: folder, split: .train, preprocessing: shifted),
                test: try MNIST.load(folder: folder, split: .test))
        case .cifar10:
            splits = DatasetSplits(
                train: try CIFAR10.load(
                    folder: folder, split: .train, preprocessing: .cifar10(augmented: options.augment)),
                test: try CIFAR10.load(folder: folder, split: .test, preprocessing: .cifar10(augmented: false)))
        case .nmnist:
            splits = DatasetSplits(
                train: try NMNIST.load(
                    root: folder, split: .train, binning: binning, firstSaccadeOnly: options.firstSaccadeOnly,
                    cache: cache),
                test: try NMNIST.load(
                    root: folder, split: .test, binning: binning, firstSaccadeOnly: options.firstSaccadeOnly,
                    cache: cache))
        case .dvsCIFAR10:
            binning.size = EventBinning.Size(height: options.dvsFrameSize, width: options.dvsFrameSize)
            func part(_ split: DVSCIFAR10.Split) throws -> EventDataset {
                try DVSCIFAR10.load(
                    root: folder, split: split, binning: binning, trainPerClass: options.trainPerClass,
                    testPerClass: options.testPerClass, cache: cache)
            }
            splits = DatasetSplits(train: try part(.train), test: try part(.test))
        }
        return DatasetSplits(
            train: limited(splits.train, options.trainLimit), test: limited(splits.test, options.testLimit))
    }
}

/// At most `limit` samples of a data set (all of them for nil): the first images, or event
/// recordings evenly spaced over the set so that every class stays represented.
func limited(_ dataset: any LabelledDataset, _ limit: Int?) -> any LabelledDataset {
    guard let limit, limit < dataset.count else { return dataset }
    if let images = dataset as? ImageDataset { return images.prefix(limit) }
    if let events = dataset as? EventDataset {
        return events.subset((0..<limit).map { $0 * events.count / limit })
    }
    return dataset
}
