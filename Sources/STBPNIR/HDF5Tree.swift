import CHDF5
import Foundation

/// An HDF5 file read whole into memory, or built to be written: groups of named groups and
/// datasets. Datasets hold numbers (read as Double or Int64 whatever their stored width) or
/// strings, with their shape ([] for a scalar).
///
/// Every HDF5 call runs under one lock, since the serial HDF5 library is not thread-safe, and
/// no HDF5 handle outlives the call that opened it. Files are read from and written to bytes
/// in memory (HDF5's core driver), so that writing goes through `AtomicFile`.
indirect enum HDF5Item: Equatable {
    case group([(name: String, item: HDF5Item)])
    case dataset(HDF5Dataset)

    static func == (a: HDF5Item, b: HDF5Item) -> Bool {
        switch (a, b) {
        case (.dataset(let x), .dataset(let y)): x == y
        case (.group(let x), .group(let y)):
            x.count == y.count && zip(x, y).allSatisfy { $0.name == $1.name && $0.item == $1.item }
        default: false
        }
    }

    /// The member called `name` of a group; nil for a dataset or a missing member.
    subscript(name: String) -> HDF5Item? {
        guard case .group(let members) = self else { return nil }
        return members.first { $0.name == name }?.item
    }
}

/// One dataset: its shape and its values in row-major order.
struct HDF5Dataset: Equatable {
    enum Values: Equatable {
        /// Floating-point values, widened to Double (written as float64).
        case reals([Double])
        /// Single-precision values, written as float32 (read back as `reals`).
        case floats([Float])
        /// Integer values, widened to Int64.
        case integers([Int64])
        /// Fixed- or variable-length strings, as UTF-8 (invalid bytes replaced).
        case strings([String])
    }
    /// The dimensions ([] for a scalar).
    var shape: [Int]
    var values: Values
    /// Whether the values are written gzip-compressed (datasets of more than one value only).
    var compressed = false

    static func == (a: HDF5Dataset, b: HDF5Dataset) -> Bool { a.shape == b.shape && a.values == b.values }
}

/// What went wrong reading or writing an HDF5 file: the object's path in the file (empty for
/// the file itself) and why.
struct HDF5Error: Error, Equatable {
    let path: String
    let reason: String
}

enum HDF5 {
    /// The most values one dataset may hold when read (a declared size above it is refused
    /// before anything is allocated): 2^27, 1 GB as Double.
    static let maximumValues = 1 << 27

    private static let lock = NSLock()

    /// Runs `body` holding the library's lock, with HDF5's printing of errors turned off.
    private static func locked<R>(_ body: () throws(HDF5Error) -> R) throws(HDF5Error) -> R {
        lock.lock()
        defer {
            // HDF5 keeps freed blocks on free lists of its own; give them back after each file.
            H5garbage_collect()
            lock.unlock()
        }
        stbp_h5_silence_errors()
        return try body()
    }

    /// Reads the file image `bytes` into its root group. Throws `HDF5Error` for bytes that are not
    /// an HDF5 file, an object HDF5 cannot read, a type other than numbers and strings, or a
    /// dataset above `maximumValues`.
    static func read(_ bytes: Data) throws(HDF5Error) -> HDF5Item {
        try locked { () throws(HDF5Error) -> HDF5Item in
            let access = memoryAccess(image: bytes)
            defer { H5Pclose(access) }
            let file = H5Fopen("image", stbp_h5_read_only(), access)
            guard file >= 0 else { throw HDF5Error(path: "", reason: "not an HDF5 file (HDF5 cannot open it)") }
            defer { H5Fclose(file) }
            return try readGroup(file, path: "", depth: 0)
        }
    }

    /// The bytes of an HDF5 file whose root group holds `root`'s members.
    static func write(_ root: [(name: String, item: HDF5Item)]) throws(HDF5Error) -> Data {
        try locked { () throws(HDF5Error) -> Data in
            let access = memoryAccess(image: nil)
            defer { H5Pclose(access) }
            let file = H5Fcreate("image", stbp_h5_truncate(), stbp_h5_default(), access)
            guard file >= 0 else { throw HDF5Error(path: "", reason: "HDF5 cannot create a file in memory") }
            defer { H5Fclose(file) }
            try writeMembers(root, into: file, path: "")
            guard H5Fflush(file, H5F_SCOPE_GLOBAL) >= 0 else {
                throw HDF5Error(path: "", reason: "HDF5 cannot flush the file")
            }
            let size = H5Fget_file_image(file, nil, 0)
            guard size > 0 else { throw HDF5Error(path: "", reason: "HDF5 gives no file image") }
            var data = Data(count: size)
            let written = data.withUnsafeMutableBytes { H5Fget_file_image(file, $0.baseAddress, size) }
            guard written == size else { throw HDF5Error(path: "", reason: "HDF5 gives a short file image") }
            return data
        }
    }

    /// A file-access list for the core (in-memory) driver, holding a copy of `image` when given.
    private static func memoryAccess(image: Data?) -> hid_t {
        let access = H5Pcreate(stbp_h5_file_access_class())
        H5Pset_fapl_core(access, 1 << 16, false)
        if let image {
            image.withUnsafeBytes {
                _ = H5Pset_file_image(access, UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count)
            }
        }
        return access
    }

    // MARK: Reading

    private static func readGroup(_ group: hid_t, path: String, depth: Int) throws(HDF5Error) -> HDF5Item {
        guard depth <= 64 else { throw HDF5Error(path: path, reason: "groups nest more than 64 deep") }
        var info = H5G_info_t()
        guard H5Gget_info(group, &info) >= 0 else { throw HDF5Error(path: path, reason: "cannot list the group") }
        var members: [(name: String, item: HDF5Item)] = []
        for index in 0..<info.nlinks {
            let length = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, stbp_h5_default())
            guard length > 0, length < 4096 else {
                throw HDF5Error(path: path, reason: "a member has no readable name")
            }
            var buffer = [CChar](repeating: 0, count: length + 1)
            H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, length + 1, stbp_h5_default())
            let name = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let memberPath = path.isEmpty ? name : "\(path)/\(name)"
            let object = H5Oopen(group, buffer, stbp_h5_default())
            guard object >= 0 else { throw HDF5Error(path: memberPath, reason: "HDF5 cannot open it") }
            defer { H5Oclose(object) }
            switch H5Iget_type(object) {
            case H5I_GROUP: members.append((name, try readGroup(object, path: memberPath, depth: depth + 1)))
            case H5I_DATASET: members.append((name, .dataset(try readDataset(object, path: memberPath))))
            default: throw HDF5Error(path: memberPath, reason: "neither a group nor a dataset")
            }
        }
        return .group(members)
    }

    private static func readDataset(_ dataset: hid_t, path: String) throws(HDF5Error) -> HDF5Dataset {
        let space = H5Dget_space(dataset)
        guard space >= 0 else { throw HDF5Error(path: path, reason: "cannot read its dataspace") }
        defer { H5Sclose(space) }
        let rank = H5Sget_simple_extent_ndims(space)
        guard rank >= 0, rank <= 8 else { throw HDF5Error(path: path, reason: "a rank of \(rank) (at most 8 read)") }
        var dimensions = [hsize_t](repeating: 0, count: Int(rank))
        if rank > 0 { H5Sget_simple_extent_dims(space, &dimensions, nil) }
        var count = 1
        for dimension in dimensions {
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(clamping: dimension))
            guard !overflow, product <= maximumValues else {
                throw HDF5Error(
                    path: path, reason: "a declared size of \(dimensions) values (at most \(maximumValues) read)")
            }
            count = product
        }
        let shape = dimensions.map { Int($0) }
        let type = H5Dget_type(dataset)
        guard type >= 0 else { throw HDF5Error(path: path, reason: "cannot read its type") }
        defer { H5Tclose(type) }
        /// The dataset's `count` values converted by HDF5 to `memoryType`, starting from `zero`s.
        func numbers<T: BitwiseCopyable>(_ zero: T, as memoryType: hid_t, what: String) throws(HDF5Error) -> [T] {
            guard count > 0 else { return [] }
            var values = [T](repeating: zero, count: count)
            let status = values.withUnsafeMutableBufferPointer {
                H5Dread(dataset, memoryType, stbp_h5_all(), stbp_h5_all(), stbp_h5_default(), $0.baseAddress)
            }
            guard status >= 0 else { throw HDF5Error(path: path, reason: "cannot read its \(what)") }
            return values
        }
        switch H5Tget_class(type) {
        case H5T_FLOAT:
            return HDF5Dataset(
                shape: shape, values: .reals(try numbers(0.0, as: stbp_h5_native_double(), what: "numbers")))
        case H5T_INTEGER:
            return HDF5Dataset(
                shape: shape, values: .integers(try numbers(Int64(0), as: stbp_h5_native_int64(), what: "integers")))
        case H5T_STRING:
            return HDF5Dataset(
                shape: shape,
                values: .strings(try readStrings(dataset, type: type, space: space, count: count, path: path)))
        default:
            throw HDF5Error(path: path, reason: "a type other than numbers or strings")
        }
    }

    private static func readStrings(
        _ dataset: hid_t, type: hid_t, space: hid_t, count: Int, path: String
    )
        throws(HDF5Error) -> [String]
    {
        guard count > 0 else { return [] }
        if H5Tis_variable_str(type) > 0 {
            let memory = H5Tcopy(stbp_h5_c_string())
            defer { H5Tclose(memory) }
            H5Tset_size(memory, stbp_h5_variable_size())
            H5Tset_cset(memory, H5Tget_cset(type))
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            guard H5Dread(dataset, memory, stbp_h5_all(), stbp_h5_all(), stbp_h5_default(), &pointers) >= 0 else {
                throw HDF5Error(path: path, reason: "cannot read its strings")
            }
            defer { _ = stbp_h5_reclaim(memory, space, &pointers) }
            return pointers.map { pointer in
                pointer.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: strlen($0)), as: UTF8.self) }
                    ?? ""
            }
        }
        let width = H5Tget_size(type)
        guard width > 0, width <= 1 << 16, count.multipliedReportingOverflow(by: width).partialValue <= maximumValues
        else {
            throw HDF5Error(path: path, reason: "fixed-length strings of \(width) bytes")
        }
        var bytes = [UInt8](repeating: 0, count: count * width)
        guard H5Dread(dataset, type, stbp_h5_all(), stbp_h5_all(), stbp_h5_default(), &bytes) >= 0 else {
            throw HDF5Error(path: path, reason: "cannot read its strings")
        }
        return (0..<count).map { index in
            let slice = bytes[(index * width)..<((index + 1) * width)]
            return String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    // MARK: Writing

    private static func writeMembers(
        _ members: [(name: String, item: HDF5Item)], into group: hid_t, path: String
    )
        throws(HDF5Error)
    {
        for (name, item) in members {
            let memberPath = path.isEmpty ? name : "\(path)/\(name)"
            switch item {
            case .group(let children):
                let child = H5Gcreate2(group, name, stbp_h5_default(), stbp_h5_default(), stbp_h5_default())
                guard child >= 0 else { throw HDF5Error(path: memberPath, reason: "cannot create the group") }
                defer { H5Gclose(child) }
                try writeMembers(children, into: child, path: memberPath)
            case .dataset(let dataset):
                try writeDataset(dataset, named: name, into: group, path: memberPath)
            }
        }
    }

    private static func writeDataset(
        _ dataset: HDF5Dataset, named name: String, into group: hid_t, path: String
    )
        throws(HDF5Error)
    {
        let dimensions = dataset.shape.map { hsize_t($0) }
        let space =
            dimensions.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(dimensions.count), dimensions, nil)
        guard space >= 0 else { throw HDF5Error(path: path, reason: "cannot create its dataspace") }
        defer { H5Sclose(space) }
        let count = dataset.shape.reduce(1, *)
        let creation = H5Pcreate(stbp_h5_dataset_create_class())
        defer { H5Pclose(creation) }
        if dataset.compressed, !dimensions.isEmpty, count > 1 {
            H5Pset_chunk(creation, Int32(dimensions.count), dimensions.map { Swift.max($0, 1) })
            H5Pset_deflate(creation, 4)
        }
        /// Creates the dataset with element type `type` and writes `values` (of that type in memory).
        func write<T>(_ values: [T], as type: hid_t) throws(HDF5Error) {
            let id = H5Dcreate2(group, name, type, space, stbp_h5_default(), creation, stbp_h5_default())
            guard id >= 0 else { throw HDF5Error(path: path, reason: "cannot create the dataset") }
            defer { H5Dclose(id) }
            let status = values.withUnsafeBufferPointer {
                H5Dwrite(id, type, stbp_h5_all(), stbp_h5_all(), stbp_h5_default(), $0.baseAddress)
            }
            guard status >= 0 else { throw HDF5Error(path: path, reason: "cannot write its values") }
        }
        switch dataset.values {
        case .reals(let values): try write(values, as: stbp_h5_native_double())
        case .floats(let values): try write(values, as: stbp_h5_native_float())
        case .integers(let values): try write(values, as: stbp_h5_native_int64())
        case .strings(let values):
            let type = H5Tcopy(stbp_h5_c_string())
            defer { H5Tclose(type) }
            H5Tset_size(type, stbp_h5_variable_size())
            H5Tset_cset(type, H5T_CSET_UTF8)
            let copies = values.map { strdup($0) }
            defer { copies.forEach { free($0) } }
            try write(copies, as: type)
        }
    }
}
