import ArgumentParser
import Foundation
import STBP

/// Where the data is and how it is read, shared by train and evaluate.
struct DataOptions: ParsableArguments {
    @Option(help: "The folder holding the data set's files.")
    var data: String

    @OptionGroup var reading: DataReadingOptions

    /// The data set.
    var dataset: DatasetKind { reading.dataset }

    /// The data set's splits in the folder --data.
    func load(timeSteps: Int) throws -> DatasetSplits { try reading.load(from: data, timeSteps: timeSteps) }
}

/// Which data set it is and how it is read, for a folder given apart (`--data`): train and
/// evaluate need the folder, bench takes it only with a checkpoint.
struct DataReadingOptions: ParsableArguments {
    @Option(help: "The data set: mnist, fashion-mnist, cifar10, nmnist or dvs-cifar10.")
    var dataset: DatasetKind = .mnist

    @Flag(inversion: .prefixedNo, help: "Random crop (padding 4) and horizontal flip of CIFAR-10 training images.")
    var augment = true

    @Option(help: "Event binning: time (equal spans) or eventCount (equal event numbers).")
    var eventSplit: String = "time"

    @Option(help: "Event frame values: binary (clipped to 1) or counts.")
    var eventValues: String = "binary"

    @Option(help: "DVS-CIFAR10 frame size after summing 128x128 pixel blocks.")
    var dvsSize: Int = 48

    @Flag(help: "N-MNIST: only the first saccade.")
    var firstSaccade = false

    @Option(help: "DVS-CIFAR10: training recordings per class (the first by sorted name).")
    var trainPerClass: Int = 900

    @Option(help: "DVS-CIFAR10: test recordings per class (the last by sorted name).")
    var testPerClass: Int = 100

    @Option(help: "A folder for cached event frames (default: <data>/.stbp-cache for event data).")
    var cache: String?

    @Option(help: "Use at most this many training samples.")
    var trainLimit: Int?

    @Option(help: "Use at most this many test samples.")
    var testLimit: Int?

    @Option(
        help:
            "MNIST, Fashion-MNIST: shift training images by up to this many pixels at random (crop with zero padding).")
    var shift: Int = 0

    func validate() throws {
        try ArgumentCheck.choice("--event-split", eventSplit, EventBinning.Split.allCases.map(\.rawValue))
        try ArgumentCheck.choice("--event-values", eventValues, EventBinning.Values.allCases.map(\.rawValue))
        try DatasetOptions(
            dvsFrameSize: dvsSize, trainPerClass: trainPerClass, testPerClass: testPerClass, trainLimit: trainLimit,
            testLimit: testLimit, shift: shift
        ).check(names: Self.flagNames)
    }

    /// Each data set option's flag, for messages.
    static let flagNames = [
        "timeSteps": "--time-steps", "dvsFrameSize": "--dvs-size", "trainPerClass": "--train-per-class",
        "testPerClass": "--test-per-class", "trainLimit": "--train-limit", "testLimit": "--test-limit",
        "shift": "--shift",
    ]

    /// The data set's splits in the folder `data`, read as the options say.
    func load(from data: String, timeSteps: Int) throws -> DatasetSplits {
        guard let split = EventBinning.Split(rawValue: eventSplit) else {
            throw ValidationError("--event-split \"\(eventSplit)\" is unknown; expected time or eventCount.")
        }
        guard let values = EventBinning.Values(rawValue: eventValues) else {
            throw ValidationError("--event-values \"\(eventValues)\" is unknown; expected binary or counts.")
        }
        let folder = URL(fileURLWithPath: data)
        let cacheFolder =
            cache.map { URL(fileURLWithPath: $0) }
            ?? (dataset.isEventData ? folder.appendingPathComponent(".stbp-cache") : nil)
        let options = DatasetOptions(
            timeSteps: timeSteps, augment: augment, eventSplit: split, eventValues: values, dvsFrameSize: dvsSize,
            firstSaccadeOnly: firstSaccade, trainPerClass: trainPerClass, testPerClass: testPerClass,
            cacheFolder: cacheFolder, trainLimit: trainLimit, testLimit: testLimit, shift: shift)
        try options.check(names: Self.flagNames)
        return try dataset.load(from: folder, options: options)
    }
}
