import STBPData
import STBPTensor
import Testing

/// Frames `[t, 2, h, w]` with the listed (frame, polarity, y, x, value) entries, zero elsewhere.
private func frames(_ t: Int, _ h: Int, _ w: Int, _ entries: [(Int, Int, Int, Int, Float)]) -> Tensor {
    var out = Tensor(zeros: [t, 2, h, w])
    for (f, p, y, x, value) in entries { out[f, p, y, x] = value }
    return out
}

/// SpikingJelly's segment bounds computed literally from their definition (a mask per frame),
/// for recordings where no time window is empty: the slow reference for `segmentBounds`.
private func referenceBounds(_ t: [Int64], frames count: Int, byTime: Bool) -> ([Int], [Int]) {
    let n = t.count
    var lower = [Int](repeating: 0, count: count)
    var upper = [Int](repeating: 0, count: count)
    if byTime {
        let dt = (t[n - 1] - t[0]) / Int64(count)
        for i in 0..<count {
            let low = dt * Int64(i) + t[0]
            let masked = (0..<n).filter { t[$0] >= low && t[$0] < low + dt }
            lower[i] = masked[0]
            upper[i] = masked[masked.count - 1] + 1
        }
    } else {
        let d = n / count
        for i in 0..<count {
            lower[i] = i * d
            upper[i] = lower[i] + d
        }
    }
    upper[count - 1] = n
    return (lower, upper)
}

@Suite struct EventBinningTests {
    // A 4x4 sensor; events (x, y, polarity, time).
    let recording = EventRecording(
        width: 4, height: 4,
        events: events([
            (0, 0, 1, 0), (1, 0, 0, 5), (1, 0, 0, 9), (2, 1, 1, 10), (3, 3, 1, 19), (0, 0, 1, 21), (2, 2, 0, 22),
        ]))

    @Test func equalTimeBinsMatchHandComputedFrames() throws {
        // dt = (22 - 0) / 3 = 7: windows [0, 7), [7, 14), and [14, ...) up to the last event.
        let binned = try EventBinning(frames: 3, split: .time).frames(recording, path: "r")
        let expected = frames(
            3, 4, 4,
            [
                (0, 1, 0, 0, 1), (0, 0, 0, 1, 1),
                (1, 0, 0, 1, 1), (1, 1, 1, 2, 1),
                (2, 1, 3, 3, 1), (2, 1, 0, 0, 1), (2, 0, 2, 2, 1),
            ])
        #expect(binned == expected)
    }

    @Test func equalCountBinsMatchHandComputedFrames() throws {
        // N = 7, T = 2: d = 3, frames hold events 0..<3 and 3..<7.
        let binned = try EventBinning(frames: 2, split: .eventCount).frames(recording, path: "r")
        let expected = frames(
            2, 4, 4,
            [
                (0, 1, 0, 0, 1), (0, 0, 0, 1, 2),
                (1, 1, 1, 2, 1), (1, 1, 3, 3, 1), (1, 1, 0, 0, 1), (1, 0, 2, 2, 1),
            ])
        #expect(binned == expected)
        #expect(binned.shape == [2, 2, 4, 4])
    }

    @Test func binaryValuesClipCountsToOne() throws {
        let binned = try EventBinning(frames: 2, split: .eventCount, values: .binary).frames(recording, path: "r")
        #expect(binned[0, 0, 0, 1] == 1)
        #expect(Set(binned.scalars) == [0, 1])
    }

    @Test func downsamplingSumsBlocksAndKeepsEveryEvent() throws {
        let binning = EventBinning(frames: 1, size: .init(height: 2, width: 2))
        let binned = try binning.frames(recording, path: "r")
        // Blocks of 2x2: (0,0),(1,0),(1,0),(0,0) -> [0,0]; (2,1) -> [0,1]; (3,3),(2,2) -> [1,1].
        #expect(
            binned
                == frames(
                    1, 2, 2, [(0, 1, 0, 0, 2), (0, 0, 0, 0, 2), (0, 1, 0, 1, 1), (0, 1, 1, 1, 1), (0, 0, 1, 1, 1)]))
        // A non-divisible size: 5 columns -> 2 maps columns 0, 1, 2 to 0 and 3, 4 to 1.
        let wide = EventRecording(
            width: 5, height: 1, events: events([(0, 0, 0, 0), (2, 0, 0, 1), (3, 0, 0, 2), (4, 0, 0, 3)]))
        let narrow = try EventBinning(frames: 1, size: .init(height: 1, width: 2)).frames(wide, path: "w")
        #expect(narrow == frames(1, 1, 2, [(0, 0, 0, 0, 2), (0, 0, 0, 1, 2)]))
        #expect(binning.frameShape(sensorWidth: 128, sensorHeight: 128) == [1, 2, 2, 2])
        let upsample = EventBinning(frames: 1, size: .init(height: 8, width: 8))
        #expect(dataError { try upsample.frames(recording, path: "r") }?.kind == .badParameter)
    }

    @Test func aTimeWindowKeepsOnlyItsEvents() throws {
        // Keep t in [5, 15): events at 5, 9, 10.
        let windowed = EventBinning(frames: 1, window: .init(start: 5, length: 10))
        #expect(try windowed.frames(recording, path: "r") == frames(1, 4, 4, [(0, 0, 0, 1, 2), (0, 1, 1, 2, 1)]))
        let late = EventBinning(frames: 1, window: .init(start: 100, length: 10))
        #expect(dataError { try late.frames(recording, path: "r") }?.kind == .empty)
    }

    @Test func emptyTimeWindowsGiveEmptyFramesWhereSpikingJellyRaises() {
        // dt = 10: window [10, 20) is empty; the last frame starts at the first event at or after 20.
        let binning = EventBinning(frames: 3, split: .time)
        let (lower, upper) = binning.segmentBounds([0, 1, 2, 30])
        #expect(lower == [0, 3, 3] && upper == [3, 3, 4])
        // Less than one microsecond per frame (dt = 0): everything lands in the last frame.
        let same = binning.segmentBounds([5, 5, 5])
        #expect(same.lower == [0, 0, 0] && same.upper == [0, 0, 3])
        // Fewer events than frames by count: d = 0, the last frame holds them all.
        let few = EventBinning(frames: 4, split: .eventCount).segmentBounds([1, 2])
        #expect(few.lower == [0, 0, 0, 0] && few.upper == [0, 0, 0, 2])
    }

    @Test func segmentBoundsMatchTheLiteralDefinitionOnRandomRecordings() {
        var generator = SeededGenerator(seed: 11)
        var checked = 0
        for trial in 0..<300 {
            let n = 1 + Int(generator.next() % 60)
            var t = (0..<n).map { _ in Int64(generator.next() % 1000) }
            if trial % 3 != 0 { t.sort() }  // also unsorted timestamps, as SpikingJelly allows
            let count = 1 + Int(generator.next() % 6)
            for byTime in [false, true] {
                let binning = EventBinning(frames: count, split: byTime ? .time : .eventCount)
                if byTime {
                    // The literal definition raises on empty windows; only compare where it does not.
                    let dt = (t[n - 1] - t[0]) / Int64(count)
                    let full =
                        dt > 0
                        && (0..<count).allSatisfy { i in
                            t.contains { $0 >= t[0] + dt * Int64(i) && $0 < t[0] + dt * Int64(i + 1) }
                        }
                    guard full else { continue }
                }
                let ours = binning.segmentBounds(t)
                let reference = referenceBounds(t, frames: count, byTime: byTime)
                #expect(ours.lower == reference.0 && ours.upper == reference.1, "t = \(t), T = \(count)")
                checked += 1
            }
        }
        #expect(checked > 400)
    }

    @Test func aRecordingWithoutEventsOrWithEventsOffTheSensorIsRejected() {
        let binning = EventBinning(frames: 2)
        let empty = EventRecording(width: 4, height: 4, events: [])
        #expect(dataError { try binning.frames(empty, path: "e") }?.kind == .empty)
        let off = EventRecording(width: 4, height: 4, events: events([(4, 0, 0, 0)]))
        #expect(dataError { try binning.frames(off, path: "o") }?.kind == .badEvent)
    }

    @Test func theKeyNamesEveryParameter() {
        let a = EventBinning(
            frames: 8, split: .time, values: .counts, size: .init(height: 48, width: 48),
            window: .init(start: 0, length: 5))
        #expect(a.key == "frames=8,split=time,values=counts,size=48x48,window=0+5")
        var b = a
        b.values = .binary
        #expect(a.key != b.key)
    }
}
