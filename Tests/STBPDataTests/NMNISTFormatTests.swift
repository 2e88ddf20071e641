import STBPData
import Testing

@Suite struct NMNISTFormatTests {
    let sample = events([(0, 0, 0, 0), (33, 5, 1, 1), (7, 33, 1, 70_000), (12, 12, 0, 8_388_607)])

    @Test func writtenEventsReadBackUnchanged() throws {
        let bytes = try NMNISTFormat.encode(sample)
        #expect(bytes.count == 20)
        let read = try NMNISTFormat.decode(bytes, path: "s.bin")
        #expect(read.events == sample && read.width == 34 && read.height == 34)
    }

    @Test func theBitLayoutIsXThenYThenPolarityAndA23BitTimestamp() throws {
        let bytes = try NMNISTFormat.encode(events([(3, 4, 1, 0x12_3456)]))
        #expect(bytes == [3, 4, 0x80 | 0x12, 0x34, 0x56])
    }

    @Test func overflowMarkersAreDroppedAndShiftLaterTimestamps() throws {
        let marker: [UInt8] = [0, 240, 0, 0, 0]
        var bytes = try NMNISTFormat.encode(events([(1, 1, 0, 100)]))
        bytes += marker + (try NMNISTFormat.encode(events([(2, 2, 1, 50)])))
        bytes += marker + (try NMNISTFormat.encode(events([(3, 3, 0, 10)])))
        let read = try NMNISTFormat.decode(bytes, path: "o.bin")
        #expect(read.events == events([(1, 1, 0, 100), (2, 2, 1, 50 + 8192), (3, 3, 0, 10 + 16384)]))
    }

    @Test func theFirstSaccadeKeepsEventsBefore100Milliseconds() throws {
        let bytes = try NMNISTFormat.encode(events([(1, 1, 0, 99_999), (2, 2, 0, 100_000), (3, 3, 0, 5)]))
        let read = try NMNISTFormat.decode(bytes, path: "f.bin", firstSaccadeOnly: true)
        #expect(read.events.map(\.timestamp) == [99_999, 5])
        let late = try NMNISTFormat.encode(events([(1, 1, 0, 200_000)]))
        #expect(dataError { try NMNISTFormat.decode(late, path: "late.bin", firstSaccadeOnly: true) }?.kind == .empty)
    }

    @Test func badFilesThrowNamingTheFileAndTheOffset() throws {
        let good = try NMNISTFormat.encode(sample)
        let ragged = dataError { try NMNISTFormat.decode(good + [1, 2], path: "r.bin") }
        #expect(ragged?.kind == .badSize && ragged?.offset == 20 && ragged?.path == "r.bin")
        var outside = good
        outside[10] = 34  // x of the third event
        let error = dataError { try NMNISTFormat.decode(outside, path: "x.bin") }
        #expect(error?.kind == .badEvent && error?.offset == 10)
        #expect(error?.description == "x.bin: byte 10: event at (x 34, y 33) is outside the 34x34 sensor")
        #expect(dataError { try NMNISTFormat.decode([], path: "e.bin") }?.kind == .empty)
        #expect(dataError { try NMNISTFormat.decode([0, 240, 0, 0, 0], path: "m.bin") }?.kind == .empty)
    }

    @Test func eventsThatDoNotFitTheFormatAreNotWritten() {
        #expect(dataError { try NMNISTFormat.encode(events([(34, 0, 0, 0)])) }?.kind == .badParameter)
        #expect(dataError { try NMNISTFormat.encode(events([(0, 0, 2, 0)])) } != nil)
        #expect(dataError { try NMNISTFormat.encode(events([(0, 0, 0, 1 << 23)])) } != nil)
        #expect(dataError { try NMNISTFormat.encode(events([(0, 0, 0, -1)])) } != nil)
    }
}
