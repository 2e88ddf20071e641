import STBPData
import Testing

@Suite struct AEDAT2FormatTests {
    let sample = events([(0, 0, 0, 0), (127, 3, 1, 17), (5, 127, 1, 4_000_000_000), (64, 64, 0, 4_000_000_001)])

    @Test func writtenEventsReadBackUnchangedInBothDecodings() throws {
        for decoding in [AEDAT2Format.Decoding.jAER, .spikingJelly] {
            let bytes = try AEDAT2Format.encode(sample, decoding: decoding)
            let read = try AEDAT2Format.decode(bytes, path: "s.aedat", decoding: decoding)
            #expect(read.events == sample && read.width == 128 && read.height == 128)
        }
    }

    @Test func addressesAreBigEndianDVS128() throws {
        let header = Array("#!AER-DAT2.0\r\n# comment\r\n".utf8)
        // address y=2, x=3, p=1: (2 << 8) | (3 << 1) | 1 = 0x0207; timestamp 0x01020304.
        let bytes = header + [0, 0, 0x02, 0x07, 0x01, 0x02, 0x03, 0x04]
        let read = try AEDAT2Format.decode(bytes, path: "a.aedat")
        #expect(read.events == [Event(x: 3, y: 2, polarity: 1, timestamp: 0x0102_0304)])
        let flipped = try AEDAT2Format.decode(bytes, path: "a.aedat", decoding: .spikingJelly)
        #expect(flipped.events == [Event(x: 125, y: 124, polarity: 0, timestamp: 0x0102_0304)])
        let encoded = try AEDAT2Format.encode(read.events)
        #expect(Array(encoded.suffix(8)) == [0, 0, 0x02, 0x07, 0x01, 0x02, 0x03, 0x04])
        #expect(encoded.starts(with: Array("#!AER-DAT2.0\r\n".utf8)))
    }

    @Test func aFileWithoutHeaderLinesIsReadAsData() throws {
        let read = try AEDAT2Format.decode([0, 0, 0, 2, 0, 0, 0, 9], path: "n.aedat")
        #expect(read.events == [Event(x: 1, y: 0, polarity: 0, timestamp: 9)])
    }

    @Test func aedat4FilesAreRejectedWithAClearMessage() {
        let bytes = Array("#!AER-DAT4.0\r\n".utf8) + [1, 2, 3, 4, 5, 6, 7, 8]
        let error = dataError { try AEDAT2Format.decode(bytes, path: "dvs/cat/1.aedat4") }
        #expect(error?.kind == .unsupported && error?.path == "dvs/cat/1.aedat4")
        #expect(error?.description.contains("AEDAT 4.0 is not supported yet") == true)
        let v3 = dataError { try AEDAT2Format.decode(Array("#!AER-DAT3.1\r\n".utf8), path: "v3") }
        #expect(v3?.kind == .unsupported && v3?.description.contains("AER-DAT3.1") == true)
    }

    @Test func badFilesThrowNamingTheFileAndTheOffset() throws {
        let good = try AEDAT2Format.encode(sample)
        let ragged = dataError { try AEDAT2Format.decode(good + [1, 2, 3], path: "r.aedat") }
        #expect(ragged?.kind == .badSize && ragged?.offset == good.count)
        let headerOnly = Array("#!AER-DAT2.0\r\n".utf8)
        let empty = dataError { try AEDAT2Format.decode(headerOnly, path: "e.aedat") }
        #expect(empty?.kind == .empty && empty?.offset == headerOnly.count)
        let unterminated = dataError { try AEDAT2Format.decode(Array("#!AER-DAT2.0\r\n# cut".utf8), path: "u") }
        #expect(unterminated?.kind == .truncated && unterminated?.offset == 14)
    }

    @Test func eventsThatDoNotFitTheFormatAreNotWritten() {
        #expect(dataError { try AEDAT2Format.encode(events([(128, 0, 0, 0)])) }?.kind == .badParameter)
        #expect(dataError { try AEDAT2Format.encode(events([(0, 0, 0, 1 << 32)])) } != nil)
    }
}
