import Foundation
import STBPData
import STBPTensor
import Testing

/// Feeds every reader random and mutated inputs: each call must return valid data or throw
/// the reader's error type; a crash, a hang or an unexpected error type fails the run.
@Suite struct FuzzTests {
    /// A mutation of `seed`: truncation, byte flips, insertions, a random header length, or noise.
    static func mutate(_ seed: [UInt8], using g: inout SeededGenerator) -> [UInt8] {
        var bytes = seed
        func position(_ count: Int) -> Int { count == 0 ? 0 : Int(g.next() % UInt64(count)) }
        switch g.next() % 6 {
        case 0:
            bytes = Array(bytes.prefix(position(bytes.count + 1)))
        case 1:
            for _ in 0..<(1 + g.next() % 8) where !bytes.isEmpty {
                bytes[position(bytes.count)] = UInt8(truncatingIfNeeded: g.next())
            }
        case 2:
            let at = position(bytes.count + 1)
            bytes.insert(contentsOf: (0..<(1 + g.next() % 9)).map { _ in UInt8(truncatingIfNeeded: g.next()) }, at: at)
        case 3:
            // A random little-endian length in the first 8 bytes (safetensors), small or huge.
            let length = g.next() % 2 == 0 ? g.next() % UInt64(bytes.count + 16) : g.next()
            for i in 0..<min(8, bytes.count) { bytes[i] = UInt8(truncatingIfNeeded: length >> (8 * UInt64(i))) }
        case 4:
            if !bytes.isEmpty { bytes.removeSubrange(position(bytes.count)..<bytes.count).self }
            bytes += (0..<position(40)).map { _ in UInt8(truncatingIfNeeded: g.next()) }
        default:
            bytes = (0..<position(300)).map { _ in UInt8(truncatingIfNeeded: g.next()) }
        }
        return bytes
    }

    /// Runs `body` on `rounds` mutations of each seed, counting accepted inputs; any error other
    /// than `E` is recorded as an issue.
    static func fuzz<E: Error>(
        _ name: String, seeds: [[UInt8]], rounds: Int, throws _: E.Type, _ body: ([UInt8]) throws -> Void
    ) -> Int {
        var g = SeededGenerator(seed: SeedHash.of(name))
        var accepted = 0
        for seed in seeds {
            do { try body(seed) } catch { Issue.record("\(name): a valid seed was rejected: \(error)") }
            for _ in 0..<rounds {
                let input = mutate(seed, using: &g)
                do {
                    try body(input)
                    accepted += 1
                } catch is E {
                    continue
                } catch {
                    Issue.record("\(name): unexpected error \(error) for \(input.count) bytes")
                }
            }
        }
        return accepted
    }

    let nmnistSeed: [UInt8] = {
        var g = SeededGenerator(seed: 1)
        return
            (try? NMNISTFormat.encode(
                SyntheticEvents.events(label: 3, sensorSize: 34, count: 30, duration: 9000, using: &g))) ?? []
    }()

    @Test func theIDXReaderAcceptsOnlyConsistentFiles() {
        let plain = IDXArray(dimensions: [3, 4, 2], bytes: (0..<24).map { UInt8($0) }).encoded()
        let accepted = Self.fuzz("idx", seeds: [plain, Gzip.compress(plain)], rounds: 900, throws: DataError.self) {
            bytes in
            let array = try IDXArray(fileBytes: bytes, path: "fuzz")
            #expect(array.dimensions.reduce(1, *) == array.bytes.count)
        }
        #expect(accepted < 1800)
    }

    @Test func theLabelledIDXPairChecksLabels() {
        let images = IDXArray(dimensions: [2, 2, 2], bytes: [UInt8](repeating: 200, count: 8))
        let labels = IDXArray(dimensions: [2], bytes: [1, 9]).encoded()
        _ = Self.fuzz("idx-labels", seeds: [labels], rounds: 500, throws: DataError.self) { bytes in
            let array = try IDXArray(fileBytes: bytes, path: "labels")
            let data = try MNIST.dataset(images: images, imagesPath: "i", labels: array, labelsPath: "labels")
            #expect(data.labels.allSatisfy { $0 < 10 } && data.count == 2)
        }
    }

    @Test func theCIFAR10ReaderAcceptsOnlyWholeRecordsWithValidLabels() {
        let (pixels, labels) = SyntheticImages.images(count: 2, channels: 3, height: 32, width: 32, seed: 1)
        let records = CIFAR10.encode(pixels: pixels, labels: labels)
        _ = Self.fuzz("cifar", seeds: [records], rounds: 400, throws: DataError.self) { bytes in
            let (decodedPixels, decodedLabels) = try CIFAR10.decode(bytes, path: "fuzz")
            #expect(decodedPixels.count == decodedLabels.count * 3072 && decodedLabels.allSatisfy { $0 < 10 })
        }
    }

    @Test func theNMNISTReaderAndBinningNeverProduceGarbage() {
        let binning = EventBinning(frames: 3, split: .time, size: .init(height: 17, width: 17))
        _ = Self.fuzz("nmnist", seeds: [nmnistSeed], rounds: 1200, throws: DataError.self) { bytes in
            let recording = try NMNISTFormat.decode(bytes, path: "fuzz", firstSaccadeOnly: bytes.count % 2 == 0)
            #expect(recording.events.allSatisfy { $0.x < 34 && $0.y < 34 && $0.polarity <= 1 && $0.timestamp >= 0 })
            let frames = try binning.frames(recording, path: "fuzz")
            #expect(frames.shape == [3, 2, 17, 17] && frames.min() >= 0)
            // With timestamps in order, the bins tile the recording; out of order (as a mutation
            // may leave them) they follow SpikingJelly's index ranges, which may overlap or skip.
            let times = recording.events.map(\.timestamp)
            if times == times.sorted() { #expect(Int(frames.sum()) == recording.events.count) }
        }
    }

    @Test func theAEDATReaderAndBinningNeverProduceGarbage() throws {
        var g = SeededGenerator(seed: 2)
        let recording = SyntheticEvents.events(label: 5, sensorSize: 128, count: 20, duration: 5000, using: &g)
        let seed = try AEDAT2Format.encode(recording)
        let v4 = Array("#!AER-DAT4.0\r\n".utf8) + seed.suffix(16)
        let binning = EventBinning(frames: 2, split: .eventCount, values: .binary, size: .init(height: 48, width: 48))
        _ = Self.fuzz(
            "aedat", seeds: [seed, v4].filter { (try? AEDAT2Format.decode($0, path: "")) != nil } + [seed],
            rounds: 1200, throws: DataError.self
        ) { bytes in
            let decoded = try AEDAT2Format.decode(bytes, path: "fuzz")
            #expect(decoded.events.allSatisfy { $0.x < 128 && $0.y < 128 && $0.polarity <= 1 })
            let frames = try binning.frames(decoded, path: "fuzz")
            #expect(frames.shape == [2, 2, 48, 48] && frames.max() <= 1)
        }
        #expect(dataError { try AEDAT2Format.decode(v4, path: "v4") }?.kind == .unsupported)
    }

    @Test func theGzipReaderNeverOverrunsOrHangs() {
        let packed = Gzip.compress(Array(repeating: Array("event camera ".utf8), count: 40).flatMap { $0 })
        _ = Self.fuzz("gzip", seeds: [packed], rounds: 1000, throws: DataError.self) { bytes in
            _ = try Gzip.decompress(bytes, path: "fuzz", maximumSize: 1 << 20)
        }
    }

    @Test func theSafeTensorsReaderRejectsHostileHeaders() {
        let file = SafeTensors(
            entries: [
                "w": .float32(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])),
                "labels": .int64(shape: [3], values: [1, 2, 3]),
                "c": .int32(shape: [1], values: [5]), "m": .uint8(shape: [2], values: [0, 1]),
            ],
            metadata: ["epoch": "1"])
        let seed = [UInt8](file.encoded())
        let accepted = Self.fuzz("safetensors", seeds: [seed], rounds: 2000, throws: SafeTensorsError.self) { bytes in
            let decoded = try SafeTensors(decoding: Data(bytes), path: "fuzz")
            // Whatever is accepted re-encodes and decodes to the same arrays.
            #expect(try SafeTensors(decoding: decoded.encoded(), path: "again") == decoded)
        }
        #expect(accepted < 2000)
    }
}

/// A stable 64-bit hash of a name, to seed each fuzz stream.
enum SeedHash {
    static func of(_ name: String) -> UInt64 {
        name.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
    }
}
