import Foundation
import STBPTensor

/// NIR's HDF5 layout, as the `nir` package (1.0) writes it: the root holds `version` and the group
/// `node`, the top graph; a graph group holds `type` = "NIRGraph", `edges` (an [E, 2] array of
/// strings), `nodes/<name>` and optionally `metadata`; every node is a group with a `type`
/// string and its fields as datasets (float32 or float64, integers, strings; gzip allowed).
extension NIRGraph {
    /// The NIR version swift-stbp writes.
    public static let version = "1.0.8"

    /// Reads the NIR file at `url`. Throws `NIRError` naming the node and field for a file that
    /// is not HDF5, a node type swift-stbp does not read, a missing field, a field of the wrong
    /// type or shape, edges to unknown nodes, non-finite values or declared sizes above 2^27.
    public init(contentsOf url: URL) throws(NIRError) {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url)
        } catch {
            var failure = NIRError(node: "", "cannot read the file (\(error.localizedDescription))")
            failure.file = url.path
            throw failure
        }
        do {
            try self.init(fileBytes: bytes)
        } catch {
            var failure = error
            failure.file = url.path
            throw failure
        }
    }

    /// Reads a NIR file from its bytes.
    public init(fileBytes bytes: Data) throws(NIRError) {
        let root: HDF5Item
        do {
            root = try HDF5.read(bytes)
        } catch {
            let (node, field) = NIRGraph.place(ofDataset: error.path)
            throw NIRError(node: node, field: field, error.reason)
        }
        guard let top = root["node"] else { throw NIRError(node: "", field: "node", "missing: no top graph") }
        var fields = NIRFields(top, path: "")
        let node = try fields.node()
        guard case .graph(let graph) = node.kind else {
            throw NIRError(node: "", type: node.typeName, field: "node", "the top node must be a NIRGraph")
        }
        self = graph
    }

    /// Writes the graph to `url` as NIR (HDF5), whole or not at all (`AtomicFile`); arrays of
    /// more than one value are gzip-compressed. Weights are written as float32 when they are
    /// float32 values, neuron time constants as float64.
    public func write(to url: URL) throws {
        let bytes: Data
        do {
            bytes = try fileBytes()
        } catch {
            throw FileWriteError(path: url.path, "cannot encode the NIR graph (\(error))")
        }
        try AtomicFile.write(bytes, to: url)
    }

    /// The node path and field of an HDF5 object path: "node/nodes/block/nodes/fc/weight" is
    /// node "block.fc", field "weight".
    static func place(ofDataset path: String) -> (node: String, field: String?) {
        var parts = path.split(separator: "/").map(String.init)
        guard parts.first == "node" else { return ("", path.isEmpty ? nil : path) }
        parts.removeFirst()
        var nodes: [String] = []
        while parts.count >= 2, parts[0] == "nodes" {
            nodes.append(parts[1])
            parts.removeFirst(2)
        }
        return (nodes.joined(separator: "."), parts.isEmpty ? nil : parts.joined(separator: "/"))
    }

    /// The bytes of the graph as a NIR file (what `write(to:)` writes). Throws `NIRError` when
    /// HDF5 cannot encode it (a node name HDF5 refuses, such as one with "/").
    public func fileBytes() throws(NIRError) -> Data {
        do {
            return try hdf5Bytes()
        } catch {
            let (node, field) = NIRGraph.place(ofDataset: error.path)
            throw NIRError(node: node, field: field, error.reason)
        }
    }

    func hdf5Bytes() throws(HDF5Error) -> Data {
        try HDF5.write([
            ("version", .dataset(HDF5Dataset(shape: [], values: .strings([NIRGraph.version])))),
            ("node", NIRNode(.graph(self)).hdf5Group),
        ])
    }
}

extension NIRNode {
    /// The node as NIR's HDF5 group.
    var hdf5Group: HDF5Item {
        var fields: [(name: String, item: HDF5Item)] = [("type", .text(typeName))]
        func add(_ name: String, _ item: HDF5Item) { fields.append((name, item)) }
        switch kind {
        case .input(let shape), .output(let shape): add("shape", .integers(shape))
        case .affine(let weight, let bias):
            add("weight", .array(weight))
            add("bias", .array(bias))
        case .linear(let weight): add("weight", .array(weight))
        case .conv2d(let conv):
            add("weight", .array(conv.weight))
            add("bias", .array(conv.bias))
            add("stride", .integers(conv.stride))
            switch conv.padding {
            case .values(let values): add("padding", .integers(values))
            case .same: add("padding", .text("same"))
            case .valid: add("padding", .text("valid"))
            }
            add("dilation", .integers(conv.dilation))
            add("groups", .integer(conv.groups))
            if let shape = conv.inputShape { add("input_shape", .integers(shape)) }
        case .averagePool2d(let pool), .sumPool2d(let pool):
            add("kernel_size", .integers(pool.kernelSize))
            add("stride", .integers(pool.stride))
            add("padding", .integers(pool.padding))
        case .flatten(let start, let end, let inputShape):
            add("start_dim", .integer(start))
            add("end_dim", .integer(end))
            if let inputShape { add("input_type", .integers(inputShape)) }
        case .leakyIntegrateAndFire(let tau, let r, let vLeak, let vThreshold, let vReset):
            add("tau", .array(tau))
            add("r", .array(r))
            add("v_leak", .array(vLeak))
            add("v_threshold", .array(vThreshold))
            add("v_reset", .array(vReset))
        case .integrateAndFire(let r, let vThreshold, let vReset):
            add("r", .array(r))
            add("v_threshold", .array(vThreshold))
            add("v_reset", .array(vReset))
        case .scale(let scale): add("scale", .array(scale))
        case .threshold(let threshold): add("threshold", .array(threshold))
        case .graph(let graph):
            add("nodes", .group(graph.nodes.map { ($0.name, $0.node.hdf5Group) }))
            add(
                "edges",
                .dataset(
                    HDF5Dataset(
                        shape: [graph.edges.count, 2], values: .strings(graph.edges.flatMap { [$0.source, $0.target] }))
                ))
        }
        // A nested graph keeps its metadata in the graph (NIR writes it as the node's).
        var metadata = self.metadata
        if case .graph(let graph) = kind { metadata.merge(graph.metadata) { node, _ in node } }
        if !metadata.isEmpty {
            add(
                "metadata",
                .group(
                    metadata.sorted { $0.key < $1.key }.map { key, value in
                        switch value {
                        case .number(let number): (key, .dataset(HDF5Dataset(shape: [], values: .reals([number]))))
                        case .text(let text): (key, .text(text))
                        }
                    }))
        }
        return .group(fields)
    }
}

extension HDF5Item {
    static func text(_ text: String) -> HDF5Item { .dataset(HDF5Dataset(shape: [], values: .strings([text]))) }
    static func integer(_ value: Int) -> HDF5Item {
        .dataset(HDF5Dataset(shape: [], values: .integers([Int64(value)])))
    }
    static func integers(_ values: [Int]) -> HDF5Item {
        .dataset(HDF5Dataset(shape: [values.count], values: .integers(values.map(Int64.init)), compressed: false))
    }
    /// An array as float32 when every value is one (weights), else as float64.
    static func array(_ array: NIRArray) -> HDF5Item {
        let singles = array.values.map { Float($0) }
        let exact = zip(singles, array.values).allSatisfy { Double($0) == $1 }
        return .dataset(
            HDF5Dataset(
                shape: array.shape, values: exact ? .floats(singles) : .reals(array.values), compressed: true))
    }
}
