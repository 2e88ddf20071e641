import Foundation

/// The DVS-CIFAR10 (CIFAR10-DVS) folder layout: one folder per class (sorted names give the
/// labels: airplane, automobile, ..., truck), AEDAT 2.0 files inside.
///
/// There is no official split. The files of each class are sorted by name; the first
/// `trainPerClass` (900 by default) are the training set and the last `testPerClass` (100)
/// the test set, which is deterministic and never overlaps.
public enum DVSCIFAR10 {
    /// Which part of each class to load.
    public enum Split: String, Sendable {
        /// The first `trainPerClass` files of each class.
        case train
        /// The last `testPerClass` files of each class.
        case test
    }

    /// The recordings of `split` under `root`, sorted by class then file name.
    ///
    /// Throws when a class folder has fewer than `trainPerClass + testPerClass` `.aedat` files,
    /// or when there are no class folders.
    public static func load(
        root: URL, split: Split, binning: EventBinning, trainPerClass: Int = 900, testPerClass: Int = 100,
        decoding: AEDAT2Format.Decoding = .jAER, cache: FrameCache? = nil
    ) throws -> EventDataset {
        precondition(trainPerClass >= 0 && testPerClass >= 0, "Split sizes must be non-negative.")
        let classFolders = try FileIO.list(root).folders
        guard !classFolders.isEmpty else {
            throw DataError(.empty, path: root.path, "expected one folder per class, found none")
        }
        var files: [URL] = []
        var labels: [Int] = []
        for (label, folder) in classFolders.enumerated() {
            let found = try FileIO.list(folder).files.filter { $0.pathExtension.lowercased() == "aedat" }
            guard found.count >= trainPerClass + testPerClass, !found.isEmpty else {
                throw DataError(
                    .empty, path: folder.path,
                    "expected at least \(trainPerClass + testPerClass) .aedat files "
                        + "(\(trainPerClass) for training, \(testPerClass) for testing), found \(found.count)")
            }
            let chosen = split == .train ? Array(found.prefix(trainPerClass)) : Array(found.suffix(testPerClass))
            files += chosen
            labels += Array(repeating: label, count: chosen.count)
        }
        return EventDataset(
            files: files, labels: labels, classNames: classFolders.map(\.lastPathComponent), format: .aedat2(decoding),
            binning: binning, cache: cache)
    }
}
