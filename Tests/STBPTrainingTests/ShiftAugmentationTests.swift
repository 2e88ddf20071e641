import Foundation
import STBPData
import STBPTensor
import Testing

@testable import STBPTraining

/// `DatasetOptions.shift` moves MNIST training images by up to that many pixels at random, and
/// leaves the test images alone.
struct ShiftAugmentationTests {
    @Test func trainingImagesMoveByAtMostTheShiftAndTestImagesStay() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stbp-shift-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try SyntheticImages.writeMNISTFolder(at: folder, trainCount: 20, testCount: 5, seed: 2)
        let plain = try DatasetKind.mnist.load(from: folder)
        let shifted = try DatasetKind.mnist.load(from: folder, options: DatasetOptions(shift: 2))

        // Test images: identical whatever the generator.
        var generator = SeededGenerator(seed: 9)
        #expect(
            try shifted.test.sample(at: 3, using: &generator).input.scalars == plain.test.sample(at: 3).input.scalars)

        // Training images: each draw is the plain image moved by (dy, dx) in -2...2, zero-filled.
        var moved = 0
        for index in 0..<20 {
            var generator = SeededGenerator(seed: UInt64(index))
            let sample = try shifted.train.sample(at: index, using: &generator).input
            let original = try plain.train.sample(at: index).input
            let offsets = (-2...2).flatMap { dy in (-2...2).map { dx in (dy, dx) } }.filter { dy, dx in
                Self.shift(original, dy: dy, dx: dx).scalars == sample.scalars
            }
            #expect(!offsets.isEmpty, "sample \(index) is no shift of the original within 2 pixels")
            if !offsets.contains(where: { $0 == (0, 0) }) { moved += 1 }
        }
        #expect(moved >= 10, "only \(moved) of 20 draws moved the image")
    }

    /// `image` [1, H, W] moved down by `dy` and right by `dx`, zeros where it came from outside.
    static func shift(_ image: Tensor, dy: Int, dx: Int) -> Tensor {
        let (height, width) = (image.shape[1], image.shape[2])
        let x = image.scalars
        var out = [Float](repeating: 0, count: x.count)
        for row in 0..<height {
            for column in 0..<width {
                let (sourceRow, sourceColumn) = (row - dy, column - dx)
                guard (0..<height).contains(sourceRow), (0..<width).contains(sourceColumn) else { continue }
                out[row * width + column] = x[sourceRow * width + sourceColumn]
            }
        }
        return Tensor(shape: image.shape, scalars: out)
    }
}
