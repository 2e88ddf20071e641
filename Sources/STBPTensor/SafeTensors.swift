import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Named arrays in the safetensors format, read from and written to disk.
///
/// The format (https://github.com/huggingface/safetensors) is: an 8-byte little-endian
/// unsigned header length `n`; `n` bytes of JSON mapping each tensor name to
/// `{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}` plus an optional
/// `"__metadata__"` map of strings to strings; then the raw little-endian data, where each
/// tensor occupies bytes `begin..<end` counted from the end of the header. The tensors must
/// tile the data exactly: offsets start at 0, are contiguous, do not overlap and end at the
/// end of the file.
///
/// `F32` arrays are read into `Tensor`; `I64`, `I32` and `U8` arrays into integer arrays
/// (labels, step counters, compact caches). Other dtypes are rejected. PyTorch reads what this
/// writes with `safetensors.torch.load_file`, and files written by Python read here.
public struct SafeTensors: Sendable, Equatable {
    /// One stored array with its shape.
    public enum Entry: Sendable, Equatable {
        /// A Float32 array (dtype `F32`), shape `tensor.shape`.
        case float32(Tensor)
        /// An Int64 array (dtype `I64`); `values.count` is the product of `shape`.
        case int64(shape: [Int], values: [Int64])
        /// An Int32 array (dtype `I32`); `values.count` is the product of `shape`.
        case int32(shape: [Int], values: [Int32])
        /// A UInt8 array (dtype `U8`); `values.count` is the product of `shape`.
        case uint8(shape: [Int], values: [UInt8])

        /// The extent of each axis.
        public var shape: [Int] {
            switch self {
            case .float32(let tensor): return tensor.shape
            case .int64(let shape, _), .int32(let shape, _), .uint8(let shape, _): return shape
            }
        }

        /// The safetensors dtype name: "F32", "I64", "I32" or "U8".
        public var dtype: String {
            switch self {
            case .float32: return "F32"
            case .int64: return "I64"
            case .int32: return "I32"
            case .uint8: return "U8"
            }
        }

        /// The number of bytes the array takes in the file.
        var byteCount: Int {
            switch self {
            case .float32(let tensor): return tensor.count * 4
            case .int64(_, let values): return values.count * 8
            case .int32(_, let values): return values.count * 4
            case .uint8(_, let values): return values.count
            }
        }
    }

    /// The arrays by name.
    public var entries: [String: Entry]
    /// The free-form `"__metadata__"` strings (for example epoch, step, configuration).
    public var metadata: [String: String]

    /// A set of arrays with optional metadata.
    public init(entries: [String: Entry] = [:], metadata: [String: String] = [:]) {
        self.entries = entries
        self.metadata = metadata
    }

    /// The Float32 tensor named `name`, or nil when there is none or it has another dtype.
    public func float32(_ name: String) -> Tensor? {
        if case .float32(let tensor)? = entries[name] { return tensor }
        return nil
    }

    /// The Int64 values named `name` (row-major), or nil when there are none or of another dtype.
    public func int64(_ name: String) -> [Int64]? {
        if case .int64(_, let values)? = entries[name] { return values }
        return nil
    }

    /// The Int32 values named `name` (row-major), or nil when there are none or of another dtype.
    public func int32(_ name: String) -> [Int32]? {
        if case .int32(_, let values)? = entries[name] { return values }
        return nil
    }

    /// The UInt8 values named `name` (row-major), or nil when there are none or of another dtype.
    public func uint8(_ name: String) -> [UInt8]? {
        if case .uint8(_, let values)? = entries[name] { return values }
        return nil
    }
}

/// A malformed or unreadable safetensors file: which file, which tensor, where, and what was expected.
public struct SafeTensorsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The path of the file (or a label for in-memory data).
    public var path: String
    /// The tensor at fault, when the problem belongs to one.
    public var tensor: String?
    /// The byte offset in the file where the problem is, when known.
    public var offset: Int?
    /// What was expected and what was found.
    public var message: String

    /// An error in the file at `path`, for `tensor` when given, at byte `offset` when known.
    public init(path: String, tensor: String? = nil, offset: Int? = nil, _ message: String) {
        self.path = path
        self.tensor = tensor
        self.offset = offset
        self.message = message
    }

    /// "path: tensor 'name': byte offset: message", leaving out the parts that are unknown.
    public var description: String {
        var parts = [path]
        if let tensor { parts.append("tensor '\(tensor)'") }
        if let offset { parts.append("byte \(offset)") }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}

// MARK: - Reading

extension SafeTensors {
    /// The largest header accepted, as in the reference implementation (100 MB).
    static let maximumHeaderLength = 100_000_000

    /// Reads the safetensors file at `url`; throws `SafeTensorsError` for a malformed file.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw SafeTensorsError(path: url.path, "cannot read the file (\(error.localizedDescription))")
        }
        try self.init(decoding: data, path: url.path)
    }

    /// Decodes safetensors bytes; `path` names the source in errors. Throws `SafeTensorsError`
    /// for malformed bytes.
    ///
    /// Every size in the header is checked against the bytes present before anything is
    /// allocated, so a hostile header cannot make the reader allocate what it claims.
    public init(decoding data: Data, path: String) throws {
        let size = data.count
        guard size >= 8 else {
            throw SafeTensorsError(
                path: path, offset: 0, "expected an 8-byte header length, the file has \(size) bytes")
        }
        let headerLength = data.withUnsafeBytes { raw -> UInt64 in
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        }
        guard headerLength <= UInt64(size - 8) else {
            throw SafeTensorsError(
                path: path, offset: 0,
                "the header length \(headerLength) runs past the end of the file (\(size) bytes)")
        }
        let headerCount = Int(headerLength)
        guard headerCount <= SafeTensors.maximumHeaderLength else {
            throw SafeTensorsError(
                path: path, offset: 0,
                "the header length \(headerCount) exceeds the limit of \(SafeTensors.maximumHeaderLength) bytes")
        }
        let headerStart = data.startIndex + 8
        let headerBytes = data[headerStart..<(headerStart + headerCount)]
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw SafeTensorsError(path: path, offset: 8, "expected the JSON header to start with '{'")
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(headerBytes))
        } catch let error as SafeTensorsError {
            throw SafeTensorsError(path: path, tensor: error.tensor, offset: 8, error.message)
        } catch {
            throw SafeTensorsError(
                path: path, offset: 8, "the header is not valid JSON of the expected form (\(error))")
        }
        let dataStart = 8 + headerCount
        let layout = try SafeTensors.checkLayout(
            header.tensors, dataSize: size - dataStart, dataStart: dataStart, path: path)

        var entries: [String: Entry] = [:]
        entries.reserveCapacity(layout.count)
        data.withUnsafeBytes { raw in
            for (name, info, count) in layout {
                let base = dataStart + info.begin
                entries[name] = SafeTensors.decodeEntry(raw, at: base, count: count, info: info)
            }
        }
        self.init(entries: entries, metadata: header.metadata)
    }

    /// Checks dtypes, shapes and offsets against the data size; returns each tensor with its
    /// element count, in file order.
    static func checkLayout(
        _ tensors: [(String, TensorInfo)], dataSize: Int, dataStart: Int, path: String
    ) throws -> [(String, TensorInfo, Int)] {
        var checked: [(String, TensorInfo, Int)] = []
        for (name, info) in tensors {
            guard let width = SafeTensors.byteWidth(of: info.dtype) else {
                throw SafeTensorsError(
                    path: path, tensor: name,
                    "unsupported dtype '\(info.dtype)' (expected F32, I64, I32 or U8)")
            }
            var count = 1
            for extent in info.shape {
                guard extent >= 0 else {
                    throw SafeTensorsError(path: path, tensor: name, "shape \(info.shape) has a negative extent")
                }
                let (product, overflow) = count.multipliedReportingOverflow(by: extent)
                guard !overflow else {
                    throw SafeTensorsError(path: path, tensor: name, "shape \(info.shape) has too many elements")
                }
                count = product
            }
            guard info.begin >= 0, info.end >= info.begin else {
                throw SafeTensorsError(
                    path: path, tensor: name,
                    "data_offsets [\(info.begin), \(info.end)] are not an increasing pair of non-negative offsets")
            }
            guard info.end <= dataSize else {
                throw SafeTensorsError(
                    path: path, tensor: name, offset: dataStart + info.begin,
                    "data_offsets [\(info.begin), \(info.end)] run past the end of the data (\(dataSize) bytes)")
            }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: width)
            guard !overflow, bytes == info.end - info.begin else {
                throw SafeTensorsError(
                    path: path, tensor: name, offset: dataStart + info.begin,
                    "shape \(info.shape) of \(info.dtype) needs \(overflow ? "too many" : String(bytes)) bytes, "
                        + "data_offsets [\(info.begin), \(info.end)] hold \(info.end - info.begin)")
            }
            checked.append((name, info, count))
        }
        checked.sort { ($0.1.begin, $0.1.end) < ($1.1.begin, $1.1.end) }
        var expected = 0
        for (name, info, _) in checked {
            if info.begin < expected {
                throw SafeTensorsError(
                    path: path, tensor: name, offset: dataStart + info.begin,
                    "data_offsets [\(info.begin), \(info.end)] overlap the previous tensor, which ends at \(expected)")
            }
            if info.begin > expected {
                throw SafeTensorsError(
                    path: path, tensor: name, offset: dataStart + info.begin,
                    "data_offsets [\(info.begin), \(info.end)] leave a gap: "
                        + "expected the tensor to start at \(expected)")
            }
            expected = info.end
        }
        guard expected == dataSize else {
            throw SafeTensorsError(
                path: path, offset: dataStart + expected,
                "the tensors cover \(expected) bytes of data but the file holds \(dataSize)")
        }
        return checked
    }

    /// The bytes per element of a supported dtype.
    static func byteWidth(of dtype: String) -> Int? {
        switch dtype {
        case "F32", "I32": return 4
        case "I64": return 8
        case "U8": return 1
        default: return nil
        }
    }

    /// Decodes `count` little-endian elements at byte `base` (already checked to be in bounds).
    static func decodeEntry(_ raw: UnsafeRawBufferPointer, at base: Int, count: Int, info: TensorInfo) -> Entry {
        switch info.dtype {
        case "F32":
            let tensor = Tensor(shape: info.shape) { out in
                for i in 0..<count {
                    let bits = raw.loadUnaligned(fromByteOffset: base + 4 * i, as: UInt32.self)
                    out[i] = Float(bitPattern: UInt32(littleEndian: bits))
                }
            }
            return .float32(tensor)
        case "I64":
            let values = (0..<count).map {
                Int64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 8 * $0, as: Int64.self))
            }
            return .int64(shape: info.shape, values: values)
        case "I32":
            let values = (0..<count).map {
                Int32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 4 * $0, as: Int32.self))
            }
            return .int32(shape: info.shape, values: values)
        default:
            return .uint8(shape: info.shape, values: Array(raw[base..<(base + count)]))
        }
    }

    /// One tensor's header entry.
    struct TensorInfo: Decodable {
        var dtype: String
        var shape: [Int]
        var begin: Int
        var end: Int

        enum CodingKeys: String, CodingKey {
            case dtype, shape
            case dataOffsets = "data_offsets"
        }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            dtype = try container.decode(String.self, forKey: .dtype)
            shape = try container.decode([Int].self, forKey: .shape)
            let offsets = try container.decode([Int].self, forKey: .dataOffsets)
            guard offsets.count == 2 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .dataOffsets, in: container, debugDescription: "expected two data_offsets")
            }
            begin = offsets[0]
            end = offsets[1]
        }
    }

    /// The whole JSON header: tensors by name and the optional metadata.
    struct Header: Decodable {
        var tensors: [(String, TensorInfo)] = []
        var metadata: [String: String] = [:]

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            for key in container.allKeys {
                if key.stringValue == "__metadata__" {
                    do {
                        metadata = try container.decode([String: String].self, forKey: key)
                    } catch {
                        throw SafeTensorsError(path: "", "expected __metadata__ to map strings to strings")
                    }
                } else {
                    do {
                        tensors.append((key.stringValue, try container.decode(TensorInfo.self, forKey: key)))
                    } catch {
                        throw SafeTensorsError(
                            path: "", tensor: key.stringValue,
                            "expected {\"dtype\": string, \"shape\": [int], \"data_offsets\": [int, int]}")
                    }
                }
            }
        }
    }
}

// MARK: - Writing

extension SafeTensors {
    /// The file's bytes: tensors laid out in name order, the header padded with spaces to a
    /// multiple of 8 bytes (as the Python writer does), all data little-endian.
    public func encoded() -> Data {
        precondition(entries["__metadata__"] == nil, "A tensor cannot be named __metadata__.")
        for (name, entry) in entries {
            let elements = entry.shape.reduce(1, *)
            precondition(
                entry.byteCount == elements * (SafeTensors.byteWidth(of: entry.dtype) ?? 0),
                "The values of '\(name)' do not fill its shape \(entry.shape).")
        }
        let names = entries.keys.sorted()
        var json = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { key in
                "\(SafeTensors.quoted(key)):\(SafeTensors.quoted(metadata[key] ?? ""))"
            }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            guard let entry = entries[name] else { continue }
            let end = offset + entry.byteCount
            let shape = entry.shape.map(String.init).joined(separator: ",")
            fields.append(
                "\(SafeTensors.quoted(name)):{\"dtype\":\"\(entry.dtype)\",\"shape\":[\(shape)],"
                    + "\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        json += fields.joined(separator: ",") + "}"
        var header = Array(json.utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }

        var data = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for name in names {
            guard let entry = entries[name] else { continue }
            SafeTensors.append(entry, to: &data)
        }
        return data
    }

    /// Appends an entry's elements, little-endian.
    static func append(_ entry: Entry, to data: inout Data) {
        switch entry {
        case .float32(let tensor):
            var bytes = [UInt8](repeating: 0, count: tensor.count * 4)
            tensor.withUnsafeBufferPointer { scalars in
                bytes.withUnsafeMutableBytes { out in
                    for i in 0..<scalars.count {
                        out.storeBytes(of: scalars[i].bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
                    }
                }
            }
            data.append(contentsOf: bytes)
        case .int64(_, let values):
            for value in values { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        case .int32(_, let values):
            for value in values { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        case .uint8(_, let values):
            data.append(contentsOf: values)
        }
    }

    /// A JSON string literal for `text`.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Writes the file whole or not at all (`AtomicFile`): to a temporary file in the same folder,
    /// created when missing, then renamed over `url`. Throws `FileWriteError` when it cannot.
    public func write(to url: URL) throws {
        try AtomicFile.write(encoded(), to: url)
    }
}
