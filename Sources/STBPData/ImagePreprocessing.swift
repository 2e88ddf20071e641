import STBPTensor

/// How the bytes of a static image become the network's input: scaling, per-channel
/// normalisation and optional seeded augmentation.
///
/// For a pixel byte `b` of channel `c`: `x = (b / maximum - mean[c]) / std[c]` (as torchvision's
/// `ToTensor` then `Normalize`, operation for operation). Augmentation
/// follows torchvision's `RandomCrop(size, padding: p)` then `RandomHorizontalFlip()`, applied
/// before normalisation as in the usual CIFAR-10 recipe: the image is padded with `p` zero
/// pixels (black, so after normalisation they read `-mean[c] / std[c]`), a window of the
/// original size is cut at an offset drawn uniformly from `0...2p` in each direction, and the
/// result is mirrored left-right with probability 1/2.
public struct ImagePreprocessing: Sendable, Hashable {
    /// Seeded random crop with zero padding and horizontal flip.
    public struct Augmentation: Sendable, Hashable {
        /// Zero pixels added on each side before cropping back to the original size.
        public var padding: Int
        /// Whether to mirror left-right with probability 1/2.
        public var horizontalFlip: Bool

        /// A crop with `padding` pixels of zero padding, and a flip when `horizontalFlip`.
        public init(padding: Int = 4, horizontalFlip: Bool = true) {
            precondition(padding >= 0, "The crop padding must be non-negative, got \(padding).")
            self.padding = padding
            self.horizontalFlip = horizontalFlip
        }
    }

    /// The raw pixel value that maps to 1 (255 for bytes, 16 for the 8x8 digits).
    public var maximum: Float
    /// The per-channel mean subtracted after scaling (one value per channel, or empty for none).
    public var mean: [Float]
    /// The per-channel standard deviation divided by after subtracting the mean (same count as `mean`).
    public var std: [Float]
    /// Random crop and flip, or nil for none (evaluation).
    public var augmentation: Augmentation?

    /// A preprocessing with the given maximum, normalisation and augmentation.
    public init(maximum: Float = 255, mean: [Float] = [], std: [Float] = [], augmentation: Augmentation? = nil) {
        precondition(
            mean.count == std.count, "Normalisation needs one std per mean, got \(mean.count) and \(std.count).")
        precondition(std.allSatisfy { $0 > 0 }, "Normalisation std must be positive, got \(std).")
        precondition(maximum > 0, "The pixel maximum must be positive, got \(maximum).")
        self.maximum = maximum
        self.mean = mean
        self.std = std
        self.augmentation = augmentation
    }

    /// CIFAR-10's channel means (red, green, blue) of the [0, 1]-scaled training images.
    public static let cifar10Mean: [Float] = [0.4914, 0.4822, 0.4465]
    /// CIFAR-10's channel standard deviations, as in the common training recipes.
    public static let cifar10Std: [Float] = [0.2023, 0.1994, 0.2010]

    /// Scaling to [0, 1] only (MNIST, Fashion-MNIST).
    public static let unitRange = ImagePreprocessing()

    /// CIFAR-10's normalisation, with crop (padding 4) and flip when `augmented`.
    public static func cifar10(augmented: Bool) -> ImagePreprocessing {
        ImagePreprocessing(
            mean: cifar10Mean, std: cifar10Std, augmentation: augmented ? Augmentation() : nil)
    }

    /// Writes the preprocessed image `[C, H, W]` from `pixels` (row-major `[C, H, W]` bytes) into
    /// `out`, drawing crop offsets and the flip from `generator` when augmenting.
    public func apply(
        _ pixels: ArraySlice<UInt8>, channels: Int, height: Int, width: Int,
        into out: UnsafeMutableBufferPointer<Float>, using generator: inout SeededGenerator
    ) {
        precondition(pixels.count == channels * height * width && out.count == pixels.count, "Image size mismatch.")
        precondition(
            mean.isEmpty || mean.count == channels, "Normalisation has \(mean.count) channels, the image \(channels).")
        var dy = 0
        var dx = 0
        var flip = false
        if let augmentation {
            let span = 2 * augmentation.padding + 1
            dy = SeedMixing.uniform(below: span, using: &generator) - augmentation.padding
            dx = SeedMixing.uniform(below: span, using: &generator) - augmentation.padding
            flip = augmentation.horizontalFlip && generator.next() >> 63 == 1
        }
        let base = pixels.startIndex
        for c in 0..<channels {
            let m = mean.isEmpty ? 0 : mean[c]
            let deviation = mean.isEmpty ? 1 : std[c]
            let plane = c * height * width
            for y in 0..<height {
                let sy = y + dy
                for x in 0..<width {
                    let cx = flip ? width - 1 - x : x
                    let sx = cx + dx
                    var value: Float = 0
                    if sy >= 0 && sy < height && sx >= 0 && sx < width {
                        value = Float(pixels[base + plane + sy * width + sx]) / maximum
                    }
                    out[plane + y * width + x] = (value - m) / deviation
                }
            }
        }
    }
}
