import Foundation
import STBPData
import STBPTensor
import Testing

/// The event-camera simulator against hand-computed expectations: a bright bar moving a known
/// number of pixels, uniform images, a single pixel's ramp, and the N-MNIST file round trip.
@Suite struct EventCameraSimulatorTests {
    /// Exact options: no mismatch, refractory period or jitter.
    static let exact = EventCameraOptions(
        contrastThreshold: 0.35, thresholdMismatch: 0, refractoryPeriod: 0, timestampJitter: 0, timeStep: 10,
        blackLevel: 0.1)

    /// An 8x4 image, black but for bright columns 2, 3 and 4.
    static let bar: [Float] = (0..<32).map { [2, 3, 4].contains($0 % 8) ? 1 : 0 }

    /// The bar centred on a 12-pixel sensor (image columns at x 2...9, rows at y 4...7), moved
    /// right by 2 pixels in 1000 us.
    static func barRecording(_ options: EventCameraOptions = exact, seed: UInt64 = 1) -> EventRecording {
        let simulator = EventCameraSimulator(
            options: options, saccades: Saccades(vertices: [(0, 0), (2, 0)], saccadeLength: 1000), sensorSize: 12)
        return simulator.record(bar, width: 8, height: 4, seed: seed)
    }

    @Test func aBarMovingTwoPixelsGivesOnAtItsLeadingEdgeAndOffAtItsTrailingEdge() {
        // Black to white is ln(1.1 / 0.1) = 2.398 in log intensity: floor(2.398 / 0.35) = 6 events.
        let events = Self.barRecording().events
        var counts: [String: Int] = [:]
        for event in events { counts["\(event.x),\(event.y),\(event.polarity)", default: 0] += 1 }
        var expected: [String: Int] = [:]
        for y in 4...7 {
            for x in [7, 8] { expected["\(x),\(y),1"] = 6 }  // The bar's two new columns turn on.
            for x in [4, 5] { expected["\(x),\(y),0"] = 6 }  // The two it leaves turn off.
        }
        #expect(counts == expected)
        #expect(events.count == 96)
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
    }

    @Test func crossingTimesFollowTheLogOfTheRenderedIntensity() {
        // Column 7 brightens as I = s for shift s = t / 500 in [0, 1]: crossing k is at
        // ln(0.1 + s) = ln(0.1) + 0.35 k, so t = 500 * 0.1 * (e^(0.35 k) - 1).
        let times = Self.barRecording().events.filter { $0.x == 7 && $0.y == 5 }.map(\.timestamp)
        let expected = (1...6).map { 500 * 0.1 * (exp(0.35 * Double($0)) - 1) }
        #expect(times.count == 6)
        for (time, want) in zip(times, expected) {
            #expect(abs(Double(time) - want) <= 10, "crossing at \(time), expected \(want)")
        }
    }

    @Test func uniformAndBlankImagesGiveNoEvents() {
        let simulator = EventCameraSimulator(
            options: Self.exact, saccades: .nmnist(saccadeLength: 500), sensorSize: 8)
        // 20x20 centred on 8 pixels: it covers the sensor at every shift of up to 2 pixels.
        let grey = simulator.record(Array(repeating: 0.6, count: 400), width: 20, height: 20, seed: 3)
        let black = simulator.record(Array(repeating: 0, count: 36), width: 6, height: 6, seed: 3)
        #expect(grey.events.isEmpty && black.events.isEmpty)
        #expect(grey.width == 8 && grey.height == 8)
    }

    @Test func theNMNISTSaccadesAreAClosedTriangleOfThreeMoves() {
        let path = Saccades.nmnist()
        #expect(path.duration == 300_000 && path.saccadeLength == 100_000)
        let corners = [0, 100_000, 200_000, 300_000].map { path.shift(at: Int64($0)) }
        #expect(corners.map(\.x) == [-2, 0, 2, -2] && corners.map(\.y) == [2, -2, 2, 2])
        let middle = path.shift(at: 50_000)
        #expect(middle.x == -1 && middle.y == 0)
    }

    @Test func theSameSeedGivesTheSameRecordingAndAnotherSeedAnother() {
        let noisy = EventCameraOptions(
            contrastThreshold: 0.35, thresholdMismatch: 0.05, refractoryPeriod: 0, timestampJitter: 5, timeStep: 10)
        let first = Self.barRecording(noisy, seed: 7)
        #expect(first == Self.barRecording(noisy, seed: 7))
        #expect(first != Self.barRecording(noisy, seed: 8))
    }

    @Test func jitterMovesTimestampsButKeepsTheEvents() {
        var jittery = Self.exact
        jittery.timestampJitter = 20
        let plain = Self.barRecording().events
        let moved = Self.barRecording(jittery).events
        let key = { (e: Event) in "\(e.x),\(e.y),\(e.polarity)" }
        #expect(plain.map(key).sorted() == moved.map(key).sorted())
        #expect(zip(moved, moved.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        #expect(moved.allSatisfy { $0.timestamp >= 0 && $0.timestamp <= 1000 })
        #expect(plain.map(\.timestamp) != moved.map(\.timestamp))
        // Each pixel's k-th event keeps its time to within 5 sigma = 100 us.
        var plainTimes: [String: [Int64]] = [:]
        var movedTimes: [String: [Int64]] = [:]
        for e in plain { plainTimes[key(e), default: []].append(e.timestamp) }
        for e in moved { movedTimes[key(e), default: []].append(e.timestamp) }
        for (pixel, times) in plainTimes {
            let shifted = movedTimes[pixel]!.sorted()
            #expect(zip(times, shifted).allSatisfy { abs($0 - $1) <= 100 })
        }
    }

    /// One pixel whose log intensity rises 0.1 per 1000 us from 0, sampled every 300 us to 10.5 ms:
    /// it crosses its 0.1 threshold near 1000, 2000, ..., 10000 us.
    func rampEvents(refractory: Int64) -> [Event] {
        let options = EventCameraOptions(
            contrastThreshold: 0.1, thresholdMismatch: 0, refractoryPeriod: refractory, timestampJitter: 0)
        var generator = SeededGenerator(seed: 0)
        var pixels = EventCameraPixels(logIntensity: [0], width: 1, height: 1, options: options, using: &generator)
        var events: [Event] = []
        for time in stride(from: Int64(300), through: 10_500, by: 300) {
            pixels.advance(to: [Float(time) * 0.1 / 1000], at: time, into: &events)
        }
        return events
    }

    @Test func theRefractoryPeriodDropsCrossingsButTheReferenceMovesOn() {
        let free = rampEvents(refractory: 0)
        #expect(free.count == 10 && free.allSatisfy { $0.polarity == 1 })
        for (k, event) in free.enumerated() { #expect(abs(event.timestamp - Int64(1000 * (k + 1))) <= 2) }
        // With 2500 us: 1000 fires, 2000 and 3000 fall within it, 4000 fires, and so on.
        let held = rampEvents(refractory: 2500).map(\.timestamp)
        #expect(held.count == 4)
        for (time, want) in zip(held, [1000, 4000, 7000, 10_000] as [Int64]) { #expect(abs(time - want) <= 2) }
    }

    @Test func thresholdMismatchDrawsEachPixelsThresholdAndItsEventCount() {
        let options = EventCameraOptions(contrastThreshold: 0.2, thresholdMismatch: 0.04, refractoryPeriod: 0)
        var generator = SeededGenerator(seed: 5)
        let side = 30
        var pixels = EventCameraPixels(
            logIntensity: Array(repeating: 0, count: side * side), width: side, height: side, options: options,
            using: &generator)
        let c = pixels.thresholds
        let mean = c.reduce(0, +) / Float(c.count)
        let sd = (c.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(c.count - 1)).squareRoot()
        #expect(abs(mean - 0.2) < 0.006 && abs(sd - 0.04) < 0.006, "mean \(mean), sd \(sd)")
        // Every pixel falls by 1.3 in ten steps: floor(1.3 / C_p) OFF events each.
        var events: [Event] = []
        for step in 1...10 {
            pixels.advance(
                to: Array(repeating: -0.13 * Float(step), count: side * side), at: Int64(100 * step), into: &events)
        }
        var counts = Array(repeating: 0, count: side * side)
        for event in events where event.polarity == 0 { counts[Int(event.y) * side + Int(event.x)] += 1 }
        #expect(events.allSatisfy { $0.polarity == 0 })
        #expect(counts == c.map { Int((1.3 / $0).rounded(.down)) })
        #expect(Set(counts).count > 2)

        var uniform = options
        uniform.thresholdMismatch = 0
        let same = EventCameraPixels(logIntensity: [0, 0], width: 2, height: 1, options: uniform, using: &generator)
        #expect(same.thresholds == [0.2, 0.2])
    }

    @Test func recordingsReadBackThroughTheNMNISTReaderUnchanged() throws {
        let root = try temporaryFolder("simulated-nmnist")
        defer { remove(root) }
        let simulator = EventCameraSimulator(saccades: .nmnist(saccadeLength: 1000))
        // One 6x6 image per digit: a square whose size grows with the digit.
        var pixels: [UInt8] = []
        for digit in 0..<10 {
            pixels += (0..<36).map { i in (i % 6 < 1 + digit % 5 && i / 6 < 2 + digit / 5) ? 255 : 0 }
        }
        let images = ImageDataset(
            channels: 1, height: 6, width: 6, pixels: pixels, labels: Array(0..<10), classNames: MNIST.digitNames)
        let counts = try SimulatedNMNIST.write(
            images, indices: Array(0..<10), split: .test, to: root, simulator: simulator, seed: 4)
        #expect(counts.count == 10 && counts.allSatisfy { $0 > 0 })
        for digit in 0..<10 {
            let file = root.appendingPathComponent("Test/\(digit)/0000\(digit).bin")
            let read = try NMNISTFormat.read(file)
            let image = pixels[(36 * digit)..<(36 * digit + 36)].map { Float($0) / 255 }
            let seed = SimulatedNMNIST.recordingSeed(4, split: .test, index: digit)
            #expect(read == simulator.record(image, width: 6, height: 6, seed: seed))
            #expect(read.events.count == counts[digit] && read.events.allSatisfy { $0.timestamp <= 3000 })
        }
        let loaded = try NMNIST.load(root: root, split: .test, binning: EventBinning(frames: 2))
        #expect(loaded.count == 10 && loaded.labels == Array(0..<10))
        #expect(
            SimulatedNMNIST.holdsDataSet(root) && !SimulatedNMNIST.holdsDataSet(root.appendingPathComponent("Test")))
    }

    @Test func theFileHoldsExactlyTheSimulatedEvents() throws {
        let root = try temporaryFolder("simulated-file")
        defer { remove(root) }
        let recording = Self.barRecording()
        let file = root.appendingPathComponent("bar.bin")
        var onSensor = recording.events
        for i in onSensor.indices { onSensor[i].x += 20 }  // Anywhere on the 34x34 sensor.
        try NMNISTFormat.write(onSensor, to: file)
        #expect(try NMNISTFormat.read(file).events == onSensor)
    }

    @Test func selectionTakesTheFirstImagesPerClassThenTheLimit() {
        let labels = [0, 1, 0, 2, 1, 0, 2]
        #expect(SimulatedNMNIST.selection(labels: labels, limit: nil, perClass: 1) == [0, 1, 3])
        #expect(SimulatedNMNIST.selection(labels: labels, limit: 4, perClass: 2) == [0, 1, 2, 3])
        #expect(SimulatedNMNIST.selection(labels: labels, limit: nil, perClass: nil) == Array(0..<7))
    }
}
