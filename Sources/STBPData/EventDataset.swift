import Foundation
import STBPTensor

/// The file formats of event recordings.
public enum EventFormat: Sendable, Hashable {
    /// N-MNIST's 5-byte events on a 34x34 sensor, optionally only the first saccade.
    case nmnist(firstSaccadeOnly: Bool)
    /// jAER AEDAT 2.0 with DVS128 addresses on a 128x128 sensor.
    case aedat2(AEDAT2Format.Decoding)

    /// The sensor width and height.
    public var sensorSize: Int {
        switch self {
        case .nmnist: return NMNISTFormat.sensorSize
        case .aedat2: return AEDAT2Format.sensorSize
        }
    }

    /// A string that names the format and its options, for cache keys.
    public var key: String {
        switch self {
        case .nmnist(let firstSaccadeOnly): return "nmnist(firstSaccade=\(firstSaccadeOnly))"
        case .aedat2(let decoding): return "aedat2(\(decoding.rawValue))"
        }
    }

    /// Reads the recording at `url`; throws `DataError` for a missing or malformed file.
    public func read(_ url: URL) throws -> EventRecording {
        switch self {
        case .nmnist(let firstSaccadeOnly): return try NMNISTFormat.read(url, firstSaccadeOnly: firstSaccadeOnly)
        case .aedat2(let decoding): return try AEDAT2Format.read(url, decoding: decoding)
        }
    }
}

/// Labelled event recordings, one file per sample, binned into frames `[T, 2, H, W]` on access.
///
/// Batches are time-major `[T, N, 2, H, W]`. With a `cache`, binned frames are kept on disk
/// (see `FrameCache`); the key names the format, its options and every binning parameter.
/// `NMNIST` and `DVSCIFAR10` build these from their folder layouts.
public struct EventDataset: LabelledDataset {
    /// The recording files.
    public let files: [URL]
    /// The label of each file, in `0..<classNames.count`.
    public let labels: [Int]
    /// The name of each class.
    public let classNames: [String]
    /// How the files are decoded.
    public let format: EventFormat
    /// How recordings become frames.
    public var binning: EventBinning
    /// Where binned frames are cached, or nil to bin on every access.
    public var cache: FrameCache?

    /// A data set of `files` with their `labels`.
    public init(
        files: [URL], labels: [Int], classNames: [String], format: EventFormat, binning: EventBinning,
        cache: FrameCache? = nil
    ) {
        precondition(files.count == labels.count, "Each file needs one label.")
        precondition(labels.allSatisfy { $0 >= 0 && $0 < classNames.count }, "A label is outside the classes.")
        self.files = files
        self.labels = labels
        self.classNames = classNames
        self.format = format
        self.binning = binning
        self.cache = cache
    }

    /// The number of recordings.
    public var count: Int { files.count }
    /// `[T, 2, H, W]`.
    public var sampleShape: [Int] {
        binning.frameShape(sensorWidth: format.sensorSize, sensorHeight: format.sensorSize)
    }
    /// `.eventFrames`: batches are `[T, N, 2, H, W]`.
    public var layout: SampleLayout { .eventFrames }
    /// The cache key: the format with its options and the binning parameters.
    public var cacheKey: String { "\(format.key);\(binning.key)" }

    /// The frames of recording `index` (from the cache when valid) and its label.
    public func sample(at index: Int, using generator: inout SeededGenerator) throws -> (input: Tensor, label: Int) {
        precondition(index >= 0 && index < count, "Sample \(index) is outside 0..<\(count).")
        let file = files[index]
        let make = { try binning.frames(try format.read(file), path: file.path) }
        guard let cache else { return (try make(), labels[index]) }
        var (frames, hit) = try cache.frames(source: file, key: cacheKey, make: make)
        if hit && frames.shape != sampleShape {
            frames = try make()  // A foreign entry under the same name; rebuild it.
            try cache.store(frames, source: file, key: cacheKey)
        }
        return (frames, labels[index])
    }

    /// The recordings whose index is in `indices`, in that order.
    public func subset(_ indices: [Int]) -> EventDataset {
        EventDataset(
            files: indices.map { files[$0] }, labels: indices.map { labels[$0] }, classNames: classNames,
            format: format, binning: binning, cache: cache)
    }
}
