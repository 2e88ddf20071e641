import STBPTensor

/// Labelled static images held in memory as bytes, preprocessed on access.
///
/// Samples are `[C, H, W]` Float32 tensors (`ImagePreprocessing` says how bytes become
/// values); batches are `[N, C, H, W]`. MNIST, Fashion-MNIST, the 8x8 digits and CIFAR-10 all
/// load into this type (see `MNIST` and `CIFAR10`).
public struct ImageDataset: LabelledDataset {
    /// Channels per image (1 for MNIST, 3 for CIFAR-10).
    public let channels: Int
    /// Image height in pixels.
    public let height: Int
    /// Image width in pixels.
    public let width: Int
    /// All pixels, row-major `[N, C, H, W]`.
    public let pixels: [UInt8]
    /// The label of each image, in `0..<classNames.count`.
    public let labels: [Int]
    /// The name of each class.
    public let classNames: [String]
    /// Scaling, normalisation and augmentation applied by `sample(at:using:)`.
    public var preprocessing: ImagePreprocessing

    /// Images from `pixels` (`[N, C, H, W]` bytes) with one label per image.
    public init(
        channels: Int, height: Int, width: Int, pixels: [UInt8], labels: [Int], classNames: [String],
        preprocessing: ImagePreprocessing = .unitRange
    ) {
        precondition(channels > 0 && height > 0 && width > 0, "Images need positive sizes.")
        precondition(
            pixels.count == labels.count * channels * height * width, "Pixels do not match \(labels.count) images.")
        precondition(labels.allSatisfy { $0 >= 0 && $0 < classNames.count }, "A label is outside the classes.")
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
        self.labels = labels
        self.classNames = classNames
        self.preprocessing = preprocessing
    }

    /// The number of images.
    public var count: Int { labels.count }
    /// `[C, H, W]`.
    public var sampleShape: [Int] { [channels, height, width] }
    /// `.image`: batches are `[N, C, H, W]`.
    public var layout: SampleLayout { .image }

    /// The image at `index` as `[C, H, W]`, preprocessed (and augmented with `generator`).
    public func sample(at index: Int, using generator: inout SeededGenerator) throws -> (input: Tensor, label: Int) {
        precondition(index >= 0 && index < count, "Sample \(index) is outside 0..<\(count).")
        let size = channels * height * width
        let slice = pixels[(index * size)..<((index + 1) * size)]
        let input = Tensor(shape: sampleShape) { out in
            preprocessing.apply(slice, channels: channels, height: height, width: width, into: out, using: &generator)
        }
        return (input, labels[index])
    }

    /// The first `n` images (or all when there are fewer), for quick runs.
    public func prefix(_ n: Int) -> ImageDataset {
        let kept = min(max(n, 0), count)
        return ImageDataset(
            channels: channels, height: height, width: width,
            pixels: Array(pixels.prefix(kept * channels * height * width)), labels: Array(labels.prefix(kept)),
            classNames: classNames, preprocessing: preprocessing)
    }
}
