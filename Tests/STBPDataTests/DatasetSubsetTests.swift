import STBPData
import STBPTensor
import Testing

/// A validation split holds out exactly the asked number of samples, disjoint from the rest,
/// chosen by the seed alone, and each subset sample is the base sample it points to.
struct DatasetSubsetTests {
    static let images: ImageDataset = {
        let pixels = (0..<50).flatMap { index in [UInt8](repeating: UInt8(index * 5), count: 4) }
        return ImageDataset(
            channels: 1, height: 2, width: 2, pixels: pixels, labels: (0..<50).map { $0 % 10 },
            classNames: (0..<10).map(String.init))
    }()

    @Test(arguments: [0, 1, 7, 49, 50])
    func heldOutAndRestPartitionTheSamples(count: Int) throws {
        let (rest, heldOut) = Self.images.holdingOut(count, seed: 3)
        #expect(heldOut.count == count)
        #expect(rest.count == 50 - count)
        #expect(Set(rest.indices + heldOut.indices) == Set(0..<50))
        #expect(rest.indices == rest.indices.sorted() && heldOut.indices == heldOut.indices.sorted())
        for (position, index) in heldOut.indices.enumerated() {
            let sample = try heldOut.sample(at: position)
            #expect(sample.label == index % 10)
            #expect(sample.input.scalars == (try Self.images.sample(at: index)).input.scalars)
            #expect(sample.input.scalars[0] == Float(index * 5) / 255)
        }
        #expect(rest.sampleShape == [1, 2, 2] && rest.classNames.count == 10 && rest.layout == .image)
    }

    @Test func theSeedAloneChoosesTheHeldOutSamples() {
        let first = Self.images.holdingOut(10, seed: 3).heldOut.indices
        #expect(Self.images.holdingOut(10, seed: 3).heldOut.indices == first)
        #expect(Self.images.holdingOut(10, seed: 4).heldOut.indices != first)
        // Not simply the first or last samples.
        #expect(first != Array(0..<10) && first != Array(40..<50))
    }
}
