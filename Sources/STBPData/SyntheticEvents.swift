import Foundation
import STBPTensor

/// Small synthetic event data sets written in the real N-MNIST and DVS-CIFAR10 formats, for
/// tests and smoke runs when the real data is not at hand.
///
/// Each class has its own spatial pattern: most events of a class-c recording fall in a blob
/// centred on a ring at angle 2 pi c / 10 that drifts slowly over the recording (like a
/// saccade), with polarity biased ON for even classes and OFF for odd ones; the rest are
/// uniform noise. A small network learns these classes within an epoch.
public enum SyntheticEvents {
    /// The events of one synthetic recording of class `label` (0 to 9) on a `sensorSize`-pixel
    /// square sensor: `count` events over `duration` microseconds, sorted by time.
    package static func events(
        label: Int, sensorSize: Int, count: Int, duration: Int64, using generator: inout SeededGenerator
    ) -> [Event] {
        precondition(count > 0 && duration > 0 && sensorSize >= 8, "A recording needs events, time and pixels.")
        let size = Float(sensorSize)
        let angle = 2 * Float.pi * Float(label % 10) / 10
        let centreX = size / 2 + 0.28 * size * cos(angle)
        let centreY = size / 2 + 0.28 * size * sin(angle)
        let spread = 0.07 * size
        var times = (0..<count).map { _ in Int64(generator.nextUnitFloat() * Float(duration)) }
        times.sort()
        return times.map { time in
            let phase = Float(time) / Float(duration)
            let x: Float
            let y: Float
            let polarity: UInt8
            if generator.nextUnitFloat() < 0.8 {
                x = centreX + spread * generator.nextNormal() + 0.08 * size * (phase - 0.5)
                y = centreY + spread * generator.nextNormal() + 0.04 * size * sin(6 * phase)
                let onBias: Float = label % 2 == 0 ? 0.75 : 0.25
                polarity = generator.nextUnitFloat() < onBias ? 1 : 0
            } else {
                x = generator.nextUnitFloat() * size
                y = generator.nextUnitFloat() * size
                polarity = generator.next() >> 63 == 1 ? 1 : 0
            }
            let column = UInt16(min(max(Int(x), 0), sensorSize - 1))
            let row = UInt16(min(max(Int(y), 0), sensorSize - 1))
            return Event(x: column, y: row, polarity: polarity, timestamp: time)
        }
    }

    /// Writes an N-MNIST-format folder at `root`: `Train/<digit>/<n>.bin` with `samplesPerClass`
    /// recordings per digit and `Test/<digit>/<n>.bin` with `testSamplesPerClass` (default a
    /// fifth, at least 1); each recording has `eventsPerSample` events over 300 ms.
    public static func writeNMNISTFolder(
        at root: URL, samplesPerClass: Int, testSamplesPerClass: Int? = nil, eventsPerSample: Int = 1000,
        seed: UInt64
    ) throws {
        let testCount = testSamplesPerClass ?? max(1, samplesPerClass / 5)
        for (split, perClass) in [("Train", samplesPerClass), ("Test", testCount)] {
            for digit in 0..<10 {
                let folder = root.appendingPathComponent(split).appendingPathComponent(String(digit))
                try FileIO.createFolder(folder)
                for i in 0..<perClass {
                    var generator = SeededGenerator(
                        seed: SeedMixing.mix(seed, split == "Train" ? 1 : 2, UInt64(digit), UInt64(i)))
                    let recording = events(
                        label: digit, sensorSize: NMNISTFormat.sensorSize, count: eventsPerSample, duration: 300_000,
                        using: &generator)
                    try NMNISTFormat.write(recording, to: folder.appendingPathComponent(numbered(i, "bin")))
                }
            }
        }
    }

    /// Writes a DVS-CIFAR10-format folder at `root`: one folder per CIFAR-10 class with
    /// `samplesPerClass` AEDAT 2.0 recordings of `eventsPerSample` events over 1 s.
    /// Load it with `DVSCIFAR10.load(root:split:binning:trainPerClass:testPerClass:)`.
    public static func writeDVSCIFAR10Folder(
        at root: URL, samplesPerClass: Int, eventsPerSample: Int = 3000, seed: UInt64
    ) throws {
        for (label, name) in CIFAR10.classNames.enumerated() {
            let folder = root.appendingPathComponent(name)
            try FileIO.createFolder(folder)
            for i in 0..<samplesPerClass {
                var generator = SeededGenerator(seed: SeedMixing.mix(seed, 3, UInt64(label), UInt64(i)))
                let recording = events(
                    label: label, sensorSize: AEDAT2Format.sensorSize, count: eventsPerSample, duration: 1_000_000,
                    using: &generator)
                try AEDAT2Format.write(recording, to: folder.appendingPathComponent("\(name)_" + numbered(i, "aedat")))
            }
        }
    }

    /// "00042.ext" for 42.
    static func numbered(_ i: Int, _ ext: String) -> String {
        let digits = String(i)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits + "." + ext
    }
}
