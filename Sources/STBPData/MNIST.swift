import Foundation

/// Loads MNIST-style IDX image and label files (MNIST, Fashion-MNIST, the 8x8 digits) into an
/// `ImageDataset` of `[1, H, W]` images.
public enum MNIST {
    /// Which half of the data set to load.
    public enum Split: String, Sendable {
        /// The training files (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`).
        case train
        /// The test files (`t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`).
        case test
    }

    /// The digit class names "0" to "9".
    public static let digitNames = (0..<10).map(String.init)
    /// Fashion-MNIST's class names, in label order.
    public static let fashionNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// Loads `split` from `folder`, which holds the standard file names, plain or with ".gz".
    public static func load(
        folder: URL, split: Split, classNames: [String] = digitNames, preprocessing: ImagePreprocessing = .unitRange
    ) throws -> ImageDataset {
        let stem = split == .train ? "train" : "t10k"
        let images = try find(folder, "\(stem)-images-idx3-ubyte")
        let labels = try find(folder, "\(stem)-labels-idx1-ubyte")
        return try load(images: images, labels: labels, classNames: classNames, preprocessing: preprocessing)
    }

    /// Loads an IDX image file (dimensions `[N, H, W]`, magic 0x00000803) and an IDX label file
    /// (dimensions `[N]`, magic 0x00000801), checking that counts agree and labels are in range.
    public static func load(
        images: URL, labels: URL, classNames: [String] = digitNames, preprocessing: ImagePreprocessing = .unitRange
    ) throws -> ImageDataset {
        let imageArray = try IDXArray(contentsOf: images)
        let labelArray = try IDXArray(contentsOf: labels)
        return try dataset(
            images: imageArray, imagesPath: images.path, labels: labelArray, labelsPath: labels.path,
            classNames: classNames, preprocessing: preprocessing)
    }

    /// Builds the data set from decoded IDX arrays; the paths name the files in errors.
    public static func dataset(
        images: IDXArray, imagesPath: String, labels: IDXArray, labelsPath: String,
        classNames: [String] = digitNames, preprocessing: ImagePreprocessing = .unitRange
    ) throws -> ImageDataset {
        guard images.dimensions.count == 3 else {
            throw DataError(
                .badHeader, path: imagesPath, offset: 3,
                "expected an image file with 3 dimensions [N, H, W] (magic 0x00000803), found \(images.dimensions)")
        }
        guard labels.dimensions.count == 1 else {
            throw DataError(
                .badHeader, path: labelsPath, offset: 3,
                "expected a label file with 1 dimension [N] (magic 0x00000801), found \(labels.dimensions)")
        }
        let (count, height, width) = (images.dimensions[0], images.dimensions[1], images.dimensions[2])
        guard count > 0, height > 0, width > 0 else {
            throw DataError(
                .empty, path: imagesPath, offset: 4, "expected at least one non-empty image, found \(images.dimensions)"
            )
        }
        guard labels.dimensions[0] == count else {
            throw DataError(
                .badSize, path: labelsPath, offset: 4,
                "expected \(count) labels to match \(imagesPath), found \(labels.dimensions[0])")
        }
        var values: [Int] = []
        values.reserveCapacity(count)
        for (i, byte) in labels.bytes.enumerated() {
            guard Int(byte) < classNames.count else {
                throw DataError(
                    .labelOutOfRange, path: labelsPath, offset: 8 + i,
                    "label \(byte) of sample \(i) is outside the \(classNames.count) classes")
            }
            values.append(Int(byte))
        }
        return ImageDataset(
            channels: 1, height: height, width: width, pixels: images.bytes, labels: values, classNames: classNames,
            preprocessing: preprocessing)
    }

    /// The file `name` or `name.gz` in `folder`.
    static func find(_ folder: URL, _ name: String) throws -> URL {
        for candidate in [name, name + ".gz"] {
            let url = folder.appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw DataError(
            .unreadable, path: folder.appendingPathComponent(name).path, "expected this file (or \(name).gz)")
    }
}
