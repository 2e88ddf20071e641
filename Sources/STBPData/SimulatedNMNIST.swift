import Foundation

/// Writes simulated event recordings of grayscale images in N-MNIST's layout:
/// `Train/<digit>/<id>.bin` and `Test/<digit>/<id>.bin`, 5-byte events on the 34x34 sensor,
/// where `<id>` is the image's index in its MNIST file (5 digits), so `NMNIST.load` reads them.
public enum SimulatedNMNIST {
    /// The folder of `split` under `root` ("Train" or "Test").
    public static func folder(_ root: URL, _ split: NMNIST.Split) -> URL {
        root.appendingPathComponent(split == .train ? "Train" : "Test")
    }

    /// Whether `root` already holds an N-MNIST-style data set (a `Train` or `Test` folder).
    public static func holdsDataSet(_ root: URL) -> Bool {
        [NMNIST.Split.train, .test].contains { FileManager.default.fileExists(atPath: folder(root, $0).path) }
    }

    /// The indices of the images to simulate, in file order: the first `perClass` of each label
    /// (all when nil), then the first `limit` of those (all when nil).
    public static func selection(labels: [Int], limit: Int?, perClass: Int?) -> [Int] {
        var taken: [Int: Int] = [:]
        var chosen: [Int] = []
        for (index, label) in labels.enumerated() {
            if let limit, chosen.count >= limit { break }
            if let perClass, taken[label, default: 0] >= perClass { continue }
            taken[label, default: 0] += 1
            chosen.append(index)
        }
        return chosen
    }

    /// The seed of the recording of image `index` of `split`: mix(`seed`, 1 or 2, `index`).
    public static func recordingSeed(_ seed: UInt64, split: NMNIST.Split, index: Int) -> UInt64 {
        SeedMixing.mix(seed, split == .train ? 1 : 2, UInt64(index))
    }

    /// Simulates the images of `dataset` at `indices` and writes them under `root`'s folder for
    /// `split`, the recording of image i seeded by `recordingSeed`; returns the number of
    /// events of each recording, in the order of `indices`.
    ///
    /// Throws `DataError` when the images are not grayscale, a recording has no events (the
    /// N-MNIST reader refuses empty files) or does not fit the format, or a file cannot be written.
    public static func write(
        _ dataset: ImageDataset, indices: [Int], split: NMNIST.Split, to root: URL, simulator: EventCameraSimulator,
        seed: UInt64, progress: (Int) -> Void = { _ in }
    ) throws -> [Int] {
        guard dataset.channels == 1 else {
            throw DataError(
                .unsupported, path: root.path, "expected grayscale images, found \(dataset.channels) channels")
        }
        let size = dataset.height * dataset.width
        var counts: [Int] = []
        counts.reserveCapacity(indices.count)
        for (done, index) in indices.enumerated() {
            let digitFolder = folder(root, split).appendingPathComponent(String(dataset.labels[index]))
            if done == 0 || !FileManager.default.fileExists(atPath: digitFolder.path) {
                try FileIO.createFolder(digitFolder)
            }
            let file = digitFolder.appendingPathComponent(SyntheticEvents.numbered(index, "bin"))
            let image = dataset.pixels[(index * size)..<((index + 1) * size)].map { Float($0) / 255 }
            let recording = simulator.record(
                image, width: dataset.width, height: dataset.height,
                seed: recordingSeed(seed, split: split, index: index))
            guard !recording.events.isEmpty else {
                throw DataError(
                    .empty, path: file.path,
                    "image \(index) gives no events; lower the contrast threshold or check that the image is not blank")
            }
            try NMNISTFormat.write(recording.events, to: file)
            counts.append(recording.events.count)
            progress(done + 1)
        }
        return counts
    }
}
