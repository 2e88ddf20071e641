import Foundation
import Testing

@testable import STBPTraining

/// The bytes of a hex string ("0a1b").
private func bytes(_ hex: String) -> [UInt8] {
    var result: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        result.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return result
}

/// The pieces of a TensorBoard event file against known values: CRC-32C vectors, and the bytes
/// that Python's protobuf 7.36.2 (tensorboard 2.20.0's compat protos `event_pb2.Event`,
/// `summary_pb2.Summary`, `HistogramProto`) and tensorboard's `RecordWriter` write for the
/// same messages. The Python that made them:
///
///     from tensorboard.compat.proto import event_pb2, summary_pb2
///     from tensorboard.compat.proto.histogram_pb2 import HistogramProto
///     Value = summary_pb2.Summary.Value
///     event_pb2.Event(wall_time=1700000000.25, file_version="brain.Event:2").SerializeToString().hex()
///     event_pb2.Event(wall_time=1700000001.5, step=300,
///         summary=summary_pb2.Summary(value=[Value(tag="step/loss", simple_value=0.125)])).SerializeToString().hex()
///     ... (each test names its message)
@Suite struct TensorBoardFormatTests {
    @Test func crc32cMatchesTheKnownVectors() {
        // "123456789" is the usual check value; the 32-byte ones are RFC 3720's (iSCSI) vectors.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        // Masked as tensorboard's masked_crc32c masks them.
        #expect(CRC32C.masked(Array("123456789".utf8)) == 0xC78A_B0E5)
        #expect(CRC32C.masked([UInt8]()) == 0xA282_EAD8)
        #expect(CRC32C.masked((0..<32).map { UInt8($0) }) == 0x951F_7892)
    }

    @Test func varintsAreSevenBitGroupsLeastSignificantFirst() {
        func encoded(_ value: UInt64) -> [UInt8] {
            var encoder = ProtobufEncoder()
            encoder.varint(value)
            return encoder.bytes
        }
        #expect(encoded(0) == [0x00])
        #expect(encoded(1) == [0x01])
        #expect(encoded(127) == [0x7F])
        #expect(encoded(128) == [0x80, 0x01])
        #expect(encoded(300) == [0xAC, 0x02])
        #expect(encoded(UInt64.max) == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        var encoder = ProtobufEncoder()
        encoder.int64(2, -1)
        #expect(encoder.bytes == bytes("10ffffffffffffffffff01"))
    }

    @Test func eventsEncodeAsPythonsProtobufDoes() {
        // Event(wall_time=1700000000.25, file_version="brain.Event:2"): step 0 is left out.
        #expect(
            TensorBoardEvent(wallTime: 1_700_000_000.25, step: 0, content: .fileVersion("brain.Event:2")).bytes
                == bytes("0900001040fc54d9411a0d627261696e2e4576656e743a32"))
        // Event(wall_time=1700000001.5, step=300, summary=Summary(value=[Value(tag="step/loss", simple_value=0.125)]))
        #expect(
            TensorBoardEvent(
                wallTime: 1_700_000_001.5, step: 300,
                content: .summary([.init(tag: "step/loss", content: .scalar(0.125))])
            ).bytes == bytes("0900006040fc54d94110ac022a120a100a09737465702f6c6f7373150000003e"))
        // simple_value=0.0 is written: it is a member of a oneof. (step=0, tag="zero")
        #expect(
            TensorBoardEvent(
                wallTime: 1_700_000_001.5, step: 0, content: .summary([.init(tag: "zero", content: .scalar(0))])
            ).bytes == bytes("0900006040fc54d9412a0d0a0b0a047a65726f1500000000"))
        // Event(wall_time=1.0, step=-1, summary=... Value(tag="a", simple_value=-2.5)): a 10-byte varint.
        #expect(
            TensorBoardEvent(wallTime: 1, step: -1, content: .summary([.init(tag: "a", content: .scalar(-2.5))])).bytes
                == bytes("09000000000000f03f10ffffffffffffffffff012a0a0a080a016115000020c0"))
    }

    @Test func histogramsEncodeAsPythonsProtobufDoes() {
        // Event(wall_time=1700000002.0, step=40, summary=... Value(tag="weights/layers.0.weight",
        //     histo=HistogramProto(min=-1.0, max=2.0, num=4, sum=1.5, sum_squares=5.25, bucket_limit=[0.5, 2.0],
        //     bucket=[3, 1])))
        let histogram = TensorBoardHistogram([-1, 0, 0.5, 2], buckets: 2)
        #expect(histogram.bucketLimits == [0.5, 2] && histogram.bucketCounts == [3, 1])
        #expect(
            TensorBoardEvent(
                wallTime: 1_700_000_002, step: 40,
                content: .summary([.init(tag: "weights/layers.0.weight", content: .histogram(histogram))])
            ).bytes
                == bytes(
                    "0900008040fc54d94110282a6e0a6c0a17776569676874732f6c61796572732e302e7765696768742a5109000000000000f0bf"
                        + "11000000000000004019000000000000104021000000000000f83f2900000000000015403210000000000000e03f"
                        + "00000000000000403a100000000000000840000000000000f03f"))
        // HistogramProto(min=0.0, max=0.0, num=3, sum=0.0, sum_squares=0.0, bucket_limit=[0.0], bucket=[3]):
        // zero fields are left out, a packed list holding a zero is not. (tag="firing_rates/0")
        #expect(
            TensorBoardEvent(
                wallTime: 1_700_000_002, step: 40,
                content: .summary([.init(tag: "firing_rates/0", content: .histogram(TensorBoardHistogram([0, 0, 0])))])
            ).bytes
                == bytes(
                    "0900008040fc54d94110282a310a2f0a0e666972696e675f72617465732f302a1d190000000000000840320800000000000000003a"
                        + "080000000000000840"))
        // HistogramProto() under tag "empty": the oneof member is written even though empty.
        #expect(
            TensorBoardEvent(
                wallTime: 1_700_000_002, step: 40,
                content: .summary([.init(tag: "empty", content: .histogram(TensorBoardHistogram([Float]())))])
            ).bytes == bytes("0900008040fc54d94110282a0b0a090a05656d7074792a00"))
    }

    @Test func recordsAreFramedAsTensorBoardsRecordWriterFramesThem() {
        // RecordWriter(buffer).write(Event(wall_time=1700000000.25, file_version="brain.Event:2").SerializeToString())
        let event = bytes("0900001040fc54d9411a0d627261696e2e4576656e743a32")
        let record = TFRecord.frame(event)
        #expect(record == bytes("1800000000000000a37f4b22") + event + bytes("338d2fe9"))
        // Read back, up to a record cut short or damaged.
        let second = TFRecord.frame([1, 2, 3])
        #expect(TFRecord.records(in: record + second).map(Array.init) == [event, [1, 2, 3]])
        #expect(TFRecord.records(in: record + second.dropLast()).map(Array.init) == [event])
        var damaged = record + second
        damaged[record.count + 13] ^= 1
        #expect(TFRecord.records(in: damaged).map(Array.init) == [event])
    }

    @Test func histogramBucketsAreEqualWidthAndRightClosed() {
        let histogram = TensorBoardHistogram([0, 1, 2, 3, 4, .nan, .infinity], buckets: 4)
        #expect(histogram.count == 5 && histogram.min == 0 && histogram.max == 4)
        #expect(histogram.sum == 10 && histogram.sumOfSquares == 30)
        #expect(histogram.bucketLimits == [1, 2, 3, 4])
        // (−, 1] holds 0 and 1; (1, 2] holds 2; ...
        #expect(histogram.bucketCounts == [2, 1, 1, 1])
        let constant = TensorBoardHistogram([Float](repeating: 0.5, count: 7))
        #expect(constant.bucketLimits == [0.5] && constant.bucketCounts == [7])
        let many = TensorBoardHistogram((0..<1000).map { Float($0) / 999 })
        #expect(many.bucketCounts.count == 30 && many.bucketCounts.reduce(0, +) == 1000)
        #expect(many.bucketLimits.last == 1)
    }

    @Test func eventsParseBackToTheirStepAndTags() {
        let event = TensorBoardEvent(
            wallTime: 3, step: 1234,
            content: .summary([
                .init(tag: "step/loss", content: .scalar(1)),
                .init(tag: "weights/w", content: .histogram(TensorBoardHistogram([1, 2]))),
            ]))
        let parsed = TensorBoardEvent.stepAndTags(of: event.bytes[...])
        #expect(parsed?.step == 1234 && parsed?.tags == ["step/loss", "weights/w"])
        #expect(TensorBoardEvent.stepAndTags(of: event.bytes.dropLast()) == nil)
    }

    @Test func aContinuingWriterSkipsTheStepsTheFolderHolds() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stbp-tb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try TensorBoardWriter(folder: folder)
        #expect(first.file.lastPathComponent.hasPrefix("events.out.tfevents."))
        #expect(first.file.lastPathComponent.hasSuffix(".\(TensorBoardWriter.hostname)"))
        for step in 1...5 { first.addScalar("step/loss", Double(step), step: step) }
        first.addHistogram("weights/w", [1, 2, 3], step: 5)
        #expect(try Data(contentsOf: first.file).count == 16 + 24, "only the file version before flushing")
        try first.flush()
        first.addScalar("step/loss", 6, step: 6)  // never flushed: a killed run's last values

        let second = try TensorBoardWriter(folder: folder, continuing: true)
        #expect(second.file != first.file)
        #expect(TensorBoardWriter.eventFiles(in: folder) == [first.file, second.file], "named in writing order")
        #expect(second.stepsWritten == ["step/loss": 5, "weights/w": 5])
        for step in 4...7 { second.addScalar("step/loss", Double(step) * 10, step: step) }
        second.addHistogram("weights/w", [4], step: 5)
        second.addHistogram("weights/w", [5], step: 7)
        second.addScalar("epoch/test_loss", 1, step: 5)
        try second.flush()

        func values(_ file: URL) throws -> [(Int64, [String])] {
            TFRecord.records(in: [UInt8](try Data(contentsOf: file))).compactMap {
                TensorBoardEvent.stepAndTags(of: $0)
            }
        }
        let written = try values(second.file).dropFirst()
        #expect(written.map(\.0) == [6, 7, 7, 5])
        #expect(written.map(\.1) == [["step/loss"], ["step/loss"], ["weights/w"], ["epoch/test_loss"]])
        #expect(try values(first.file).count == 7)
        // A writer that does not continue writes every step.
        #expect(try TensorBoardWriter(folder: folder).stepsWritten.isEmpty)
    }
}
