import Foundation
import STBPTensor

/// Small synthetic image data sets written in the real IDX and CIFAR-10 binary formats, for
/// tests, benchmarks and smoke runs when the real data is not at hand.
///
/// A class-c image is dark noise with a bright blob centred on a ring at angle 2 pi c / 10,
/// tinted per class in colour images, so a small network can learn the classes quickly.
public enum SyntheticImages {
    /// `count` images `[N, channels, height, width]` as bytes with labels cycling 0..<10.
    package static func images(
        count: Int, channels: Int, height: Int, width: Int, seed: UInt64
    ) -> (pixels: [UInt8], labels: [Int]) {
        var generator = SeededGenerator(seed: SeedMixing.mix(seed, 4))
        var pixels = [UInt8](repeating: 0, count: count * channels * height * width)
        let labels = (0..<count).map { $0 % 10 }
        for (n, label) in labels.enumerated() {
            let angle = 2 * Float.pi * Float(label) / 10
            let centreX = Float(width) / 2 + 0.28 * Float(width) * cos(angle) + generator.nextNormal()
            let centreY = Float(height) / 2 + 0.28 * Float(height) * sin(angle) + generator.nextNormal()
            let radius = 0.12 * Float(min(height, width))
            for c in 0..<channels {
                let tint: Float = channels == 1 ? 1 : 0.5 + 0.5 * Float((label + c * 3) % 10) / 9
                for y in 0..<height {
                    for x in 0..<width {
                        let dx = Float(x) - centreX
                        let dy = Float(y) - centreY
                        let blob = exp(-(dx * dx + dy * dy) / (2 * radius * radius))
                        let value = 230 * tint * blob + 25 * generator.nextUnitFloat()
                        pixels[((n * channels + c) * height + y) * width + x] = UInt8(min(max(value, 0), 255))
                    }
                }
            }
        }
        return (pixels, labels)
    }

    /// Writes MNIST-style IDX files at `folder` (`train-images-idx3-ubyte`, ... with ".gz" when
    /// `gzip`): `trainCount` and `testCount` 28x28 images.
    public static func writeMNISTFolder(
        at folder: URL, trainCount: Int, testCount: Int, gzip: Bool = true, seed: UInt64
    ) throws {
        try FileIO.createFolder(folder)
        for (stem, count, salt) in [("train", trainCount, UInt64(1)), ("t10k", testCount, UInt64(2))] {
            let (pixels, labels) = images(
                count: count, channels: 1, height: 28, width: 28, seed: SeedMixing.mix(seed, salt))
            let imageBytes = IDXArray(dimensions: [count, 28, 28], bytes: pixels).encoded()
            let labelBytes = IDXArray(dimensions: [count], bytes: labels.map { UInt8($0) }).encoded()
            let suffix = gzip ? ".gz" : ""
            try AtomicFile.write(
                Data(gzip ? Gzip.compress(imageBytes) : imageBytes),
                to: folder.appendingPathComponent("\(stem)-images-idx3-ubyte\(suffix)"))
            try AtomicFile.write(
                Data(gzip ? Gzip.compress(labelBytes) : labelBytes),
                to: folder.appendingPathComponent("\(stem)-labels-idx1-ubyte\(suffix)"))
        }
    }

    /// Writes a CIFAR-10 binary folder at `folder`: `data_batch_1.bin` to `data_batch_5.bin` with
    /// `recordsPerBatch` images each, `test_batch.bin` with `testCount`, and `batches.meta.txt`.
    public static func writeCIFAR10Folder(at folder: URL, recordsPerBatch: Int, testCount: Int, seed: UInt64) throws {
        try FileIO.createFolder(folder)
        let files = CIFAR10.fileNames(.train).map { ($0, recordsPerBatch) } + [("test_batch.bin", testCount)]
        for (i, (name, count)) in files.enumerated() {
            let (pixels, labels) = images(
                count: count, channels: 3, height: 32, width: 32, seed: SeedMixing.mix(seed, UInt64(i)))
            try AtomicFile.write(
                Data(CIFAR10.encode(pixels: pixels, labels: labels)), to: folder.appendingPathComponent(name))
        }
        try AtomicFile.write(
            Data((CIFAR10.classNames.joined(separator: "\n") + "\n\n").utf8),
            to: folder.appendingPathComponent("batches.meta.txt"))
    }
}
