import STBPData
import STBPTensor
import Testing

@Suite struct ImagePreprocessingTests {
    /// A 1-channel 3x3 image 1...9 (with maximum 1, so values are the bytes).
    let pixels: ArraySlice<UInt8> = [1, 2, 3, 4, 5, 6, 7, 8, 9]

    func apply(_ preprocessing: ImagePreprocessing, seed: UInt64 = 0, channels: Int = 1) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        var out = [Float](repeating: -1, count: pixels.count)
        out.withUnsafeMutableBufferPointer {
            preprocessing.apply(pixels, channels: channels, height: 3, width: 3, into: $0, using: &generator)
        }
        return out
    }

    @Test func scalingAndNormalisationFollowTheFormula() {
        #expect(apply(ImagePreprocessing(maximum: 1)) == (1...9).map(Float.init))
        let normalised = apply(ImagePreprocessing(maximum: 2, mean: [1], std: [2]))
        let expected: [Float] = (1...9).map { (Float($0) / 2 - 1) / 2 }
        #expect(normalised == expected)
    }

    @Test func theCIFAR10DefaultsAreTheUsualMeanAndStd() {
        let cifar = ImagePreprocessing.cifar10(augmented: true)
        #expect(cifar.mean == [0.4914, 0.4822, 0.4465] && cifar.std == [0.2023, 0.1994, 0.2010])
        #expect(cifar.augmentation == ImagePreprocessing.Augmentation(padding: 4, horizontalFlip: true))
        #expect(ImagePreprocessing.cifar10(augmented: false).augmentation == nil)
    }

    @Test func augmentationIsAZeroPaddedShiftAndAnOptionalMirror() {
        // Every draw is a crop of the zero-padded image, possibly mirrored.
        let source = (1...9).map(Float.init)
        var seen = Set<[Float]>()
        for seed in 0..<200 {
            let out = apply(ImagePreprocessing(maximum: 1, augmentation: .init(padding: 1)), seed: UInt64(seed))
            seen.insert(out)
            var matched = false
            for flip in [false, true] {
                for dy in -1...1 {
                    for dx in -1...1 {
                        let expected = (0..<9).map { i -> Float in
                            let y = i / 3 + dy
                            let x = (flip ? 2 - i % 3 : i % 3) + dx
                            return (0..<3).contains(y) && (0..<3).contains(x) ? source[y * 3 + x] : 0
                        }
                        matched = matched || expected == out
                    }
                }
            }
            #expect(matched)
        }
        #expect(seen.count == 18)  // 9 offsets x 2 flips all occur
    }

    @Test func theSameGeneratorGivesTheSameAugmentation() {
        let augmented = ImagePreprocessing(maximum: 1, augmentation: .init(padding: 4))
        #expect(apply(augmented, seed: 3) == apply(augmented, seed: 3))
        #expect((0..<20).map { apply(augmented, seed: UInt64($0)) } != (0..<20).map { _ in apply(augmented, seed: 3) })
    }
}
