import Foundation

/// The N-MNIST folder layout: `Train/` and `Test/`, one sub-folder per digit, one `.bin` file
/// per sample.
public enum NMNIST {
    /// Which half of the data set to load.
    public enum Split: String, Sendable {
        /// `Train/` (60000 recordings).
        case train
        /// `Test/` (10000 recordings).
        case test
    }

    /// The recordings of `split` under `root`, sorted by digit then file name; throws when the
    /// folder, a digit folder or its files are missing.
    public static func load(
        root: URL, split: Split, binning: EventBinning, firstSaccadeOnly: Bool = false, cache: FrameCache? = nil
    ) throws -> EventDataset {
        let folder = root.appendingPathComponent(split == .train ? "Train" : "Test")
        var files: [URL] = []
        var labels: [Int] = []
        for digit in 0..<10 {
            let digitFolder = folder.appendingPathComponent(String(digit))
            let found = try FileIO.list(digitFolder).files.filter { $0.pathExtension.lowercased() == "bin" }
            guard !found.isEmpty else {
                throw DataError(.empty, path: digitFolder.path, "expected N-MNIST .bin files, the folder has none")
            }
            files += found
            labels += Array(repeating: digit, count: found.count)
        }
        return EventDataset(
            files: files, labels: labels, classNames: MNIST.digitNames,
            format: .nmnist(firstSaccadeOnly: firstSaccadeOnly),
            binning: binning, cache: cache)
    }
}
