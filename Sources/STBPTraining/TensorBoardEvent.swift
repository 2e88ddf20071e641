/// One record of a TensorBoard event file: the `Event` message of TensorFlow's event.proto, with
/// the parts of `Summary` (summary.proto) and `HistogramProto` (histogram.proto) that scalars and
/// histograms use, encoded with `ProtobufEncoder`:
///
///     Event           1 wall_time double   2 step int64
///                     oneof: 3 file_version string ("brain.Event:2", the file's first event)
///                            5 summary Summary
///     Summary         1 value Value (repeated)
///     Summary.Value   1 tag string
///                     oneof: 2 simple_value float   5 histo HistogramProto
///     HistogramProto  1 min  2 max  3 num  4 sum  5 sum_squares  double
///                     6 bucket_limit  7 bucket  packed repeated double
///
/// Fields are written in field-number order, as Python's protobuf writes them; proto3 leaves out
/// a field at its default (a zero, an empty list) unless it is a member of a oneof.
struct TensorBoardEvent: Equatable {
    /// What the event carries.
    enum Content: Equatable {
        /// The file's version: the first event of every file.
        case fileVersion(String)
        /// Tagged values.
        case summary([Value])
    }

    /// A tagged value of a summary.
    struct Value: Equatable {
        /// The name TensorBoard shows and groups by (up to the first "/").
        var tag: String
        /// A scalar or a histogram.
        var content: ValueContent
    }

    /// A summary value's content.
    enum ValueContent: Equatable {
        case scalar(Float)
        case histogram(TensorBoardHistogram)
    }

    /// Seconds since 1970.
    var wallTime: Double
    /// The step the values belong to.
    var step: Int64
    /// The file version or the summary.
    var content: Content

    /// The serialized Event message.
    var bytes: [UInt8] {
        var event = ProtobufEncoder()
        if wallTime.bitPattern != 0 { event.double(1, wallTime) }
        if step != 0 { event.int64(2, step) }
        switch content {
        case .fileVersion(let version): event.string(3, version)
        case .summary(let values):
            event.message(5) { summary in
                for value in values { summary.message(1) { value.encode(into: &$0) } }
            }
        }
        return event.bytes
    }

    /// The step and the tags of a serialized Event (nil when it does not parse as one).
    static func stepAndTags(of bytes: ArraySlice<UInt8>) -> (step: Int64, tags: [String])? {
        var step: Int64 = 0
        var tags: [String] = []
        var fields = ProtobufFields(bytes)
        while let (field, value) = fields.next() {
            switch (field, value) {
            case (2, .varint(let raw)): step = Int64(bitPattern: raw)
            case (5, .bytes(let summary)):
                var values = ProtobufFields(summary)
                while let (field, value) = values.next() {
                    guard field == 1, case .bytes(let message) = value else { continue }
                    var parts = ProtobufFields(message)
                    while let (field, part) = parts.next() {
                        if field == 1, case .bytes(let tag) = part { tags.append(String(decoding: tag, as: UTF8.self)) }
                    }
                }
                if values.isMalformed { return nil }
            default: break
            }
        }
        return fields.isMalformed ? nil : (step, tags)
    }
}

extension TensorBoardEvent.Value {
    func encode(into value: inout ProtobufEncoder) {
        value.string(1, tag)
        switch content {
        case .scalar(let scalar): value.float(2, scalar)
        case .histogram(let histogram):
            value.message(5) { proto in
                for (field, number) in [
                    (1, histogram.min), (2, histogram.max), (3, histogram.count), (4, histogram.sum),
                    (5, histogram.sumOfSquares),
                ] where number.bitPattern != 0 {
                    proto.double(field, number)
                }
                if !histogram.bucketLimits.isEmpty { proto.packedDoubles(6, histogram.bucketLimits) }
                if !histogram.bucketCounts.isEmpty { proto.packedDoubles(7, histogram.bucketCounts) }
            }
        }
    }
}
