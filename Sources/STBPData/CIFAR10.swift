import Foundation

/// Reads the CIFAR-10 binary format into an `ImageDataset` of `[3, 32, 32]` images.
///
/// Each record is 3073 bytes: a label byte (0 to 9), then 1024 red, 1024 green and 1024 blue
/// bytes, each plane 32x32 row-major. The training set is `data_batch_1.bin` to
/// `data_batch_5.bin`, the test set `test_batch.bin`; `batches.meta.txt` names the classes.
public enum CIFAR10 {
    /// Which half of the data set to load.
    public enum Split: String, Sendable {
        /// `data_batch_1.bin` to `data_batch_5.bin` (50000 images).
        case train
        /// `test_batch.bin` (10000 images).
        case test
    }

    /// Bytes per record: one label and 3x32x32 pixels.
    public static let recordSize = 3073
    /// CIFAR-10's class names in label order (used when there is no batches.meta.txt).
    public static let classNames = [
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    ]

    /// The file names of `split`.
    public static func fileNames(_ split: Split) -> [String] {
        split == .train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
    }

    /// Loads `split` from `folder` (every file of the split must be present), with class names
    /// from `batches.meta.txt` when the folder has one.
    public static func load(
        folder: URL, split: Split, preprocessing: ImagePreprocessing = .cifar10(augmented: false)
    ) throws -> ImageDataset {
        let files = fileNames(split).map { folder.appendingPathComponent($0) }
        let meta = folder.appendingPathComponent("batches.meta.txt")
        let names = FileManager.default.fileExists(atPath: meta.path) ? try readClassNames(meta) : classNames
        return try load(files: files, classNames: names, preprocessing: preprocessing)
    }

    /// Loads any CIFAR-10 binary files (each a whole number of 3073-byte records), in order.
    public static func load(
        files: [URL], classNames: [String] = classNames, preprocessing: ImagePreprocessing = .cifar10(augmented: false)
    ) throws -> ImageDataset {
        var pixels: [UInt8] = []
        var labels: [Int] = []
        for file in files {
            let (filePixels, fileLabels) = try decode(
                try FileIO.read(file), path: file.path, classCount: classNames.count)
            pixels += filePixels
            labels += fileLabels
        }
        return ImageDataset(
            channels: 3, height: 32, width: 32, pixels: pixels, labels: labels, classNames: classNames,
            preprocessing: preprocessing)
    }

    /// Splits CIFAR-10 records into pixels (`[N, 3, 32, 32]` bytes) and labels, checking the
    /// record size and that every label is below `classCount`.
    public static func decode(
        _ bytes: [UInt8], path: String, classCount: Int = 10
    ) throws -> (pixels: [UInt8], labels: [Int]) {
        guard !bytes.isEmpty else {
            throw DataError(.empty, path: path, offset: 0, "expected 3073-byte records, the file is empty")
        }
        guard bytes.count % recordSize == 0 else {
            throw DataError(
                .badSize, path: path, offset: bytes.count - bytes.count % recordSize,
                "expected whole 3073-byte records, the file has \(bytes.count) bytes "
                    + "(\(bytes.count / recordSize) records and \(bytes.count % recordSize) bytes left over)")
        }
        let count = bytes.count / recordSize
        var pixels = [UInt8](repeating: 0, count: count * (recordSize - 1))
        var labels = [Int](repeating: 0, count: count)
        for record in 0..<count {
            let start = record * recordSize
            guard Int(bytes[start]) < classCount else {
                throw DataError(
                    .labelOutOfRange, path: path, offset: start,
                    "label \(bytes[start]) of record \(record) is outside the \(classCount) classes")
            }
            labels[record] = Int(bytes[start])
            pixels.withUnsafeMutableBufferPointer { out in
                bytes.withUnsafeBufferPointer { source in
                    let target = out.baseAddress.map { $0 + record * (recordSize - 1) }
                    let from = source.baseAddress.map { $0 + start + 1 }
                    if let target, let from { target.update(from: from, count: recordSize - 1) }
                }
            }
        }
        return (pixels, labels)
    }

    /// The class names in `batches.meta.txt`: one per non-empty line, at least ten.
    public static func readClassNames(_ url: URL) throws -> [String] {
        let bytes = try FileIO.read(url)
        let names = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard names.count >= 10 else {
            throw DataError(.badSize, path: url.path, "expected 10 class names, one per line, found \(names.count)")
        }
        return names
    }

    /// CIFAR-10 binary records for `pixels` (`[N, 3, 32, 32]` bytes) and `labels` (0 to 255).
    public static func encode(pixels: [UInt8], labels: [Int]) -> [UInt8] {
        precondition(pixels.count == labels.count * (recordSize - 1), "Pixels do not match \(labels.count) records.")
        var out: [UInt8] = []
        out.reserveCapacity(labels.count * recordSize)
        for (i, label) in labels.enumerated() {
            precondition(label >= 0 && label < 256, "A CIFAR-10 label is one byte, got \(label).")
            out.append(UInt8(label))
            out.append(contentsOf: pixels[(i * (recordSize - 1))..<((i + 1) * (recordSize - 1))])
        }
        return out
    }
}
