import Foundation
import FuzzSupport
import STBP

/// The NIR reader and importer. The input describes a graph (node types, shapes, values, edges,
/// metadata: `GraphDescription`), which is written with swift-stbp's NIR writer, read back (it
/// must equal the graph written) and imported. With STBP_FUZZ_NIR_RAW=1 an input whose first
/// byte is even is instead read as a NIR file as it is (HDF5 bytes): that mode fuzzes the
/// system's libhdf5 as much as swift-stbp, and libhdf5 1.10.8 crashes in it (a SEGV in
/// H5HG_read on a corrupted heap of variable-length strings), so CI does not run it.
/// A `NIRError` is the expected outcome for bad input; an imported network small enough to run
/// here (at most 100k values a sample) must run two steps of a batch of one and give a readout
/// of its output shape.
/// Keeps no freed tensor memory between inputs (see FuzzNetworkSpec).
let noCache: Void = MemoryCache.release()

/// Whether even first bytes select raw HDF5 files (STBP_FUZZ_NIR_RAW=1).
let rawFiles = ProcessInfo.processInfo.environment["STBP_FUZZ_NIR_RAW"] == "1"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = noCache
    guard size > 0 else { return 0 }
    let bytes = inputBytes(data, size)
    expectingOnly(NIRError.self, from: "NIRGraph(fileBytes:), Network(nir:timeStep:)") {
        let graph: NIRGraph
        if rawFiles && bytes[0] % 2 == 0 {
            graph = try NIRGraph(fileBytes: Data(bytes.dropFirst()))
        } else {
            var description = GraphDescription(bytes.dropFirst())
            let written = description.graph()
            let file: Data
            do {
                file = try written.fileBytes()
            } catch {
                fatalError("the NIR writer fails on a valid graph: \(error)")
            }
            graph = try NIRGraph(fileBytes: file)
            check(graph == written, "a graph reads back other than written")
        }
        let network = try Network(nir: graph, timeStep: 1e-3)
        let sizes = [network.inputShape] + network.outputShapes
        guard sizes.allSatisfy({ $0.reduce(1, *) <= 100_000 }) else { return }
        var generator = SeededGenerator(seed: 0)
        let output = network(
            Tensor(shape: [1] + network.inputShape, repeating: 0.5), options: ForwardOptions(timeSteps: 2),
            generator: &generator)
        check(
            output.readout.shape == [1] + network.outputShape,
            "readout \(output.readout.shape) for \(network.outputShape)")
    }
    return 0
}

/// Reads a graph from bytes: each byte picks the next choice (node type, size, value, edge).
struct GraphDescription {
    var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    mutating func next() -> Int { bytes.popFirst().map(Int.init) ?? 0 }
    mutating func small(_ limit: Int) -> Int { next() % limit }
    mutating func size() -> Int { 1 + small(6) }
    mutating func value() -> Double { Double(next()) / 32 - 4 }
    mutating func shape() -> [Int] { (0..<(1 + small(3))).map { _ in size() } }
    mutating func array(_ shape: [Int]) -> NIRArray {
        NIRArray(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in value() })
    }
    /// Mostly `shape`, sometimes another one.
    mutating func array(near shape: [Int]) -> NIRArray { array(small(8) == 0 ? self.shape() : shape) }
    mutating func pair() -> [Int] {
        small(4) == 0
            ? [size(), size()]
            : {
                let s = size(); return [s, s]
            }()
    }

    mutating func graph(depth: Int = 0) -> NIRGraph {
        var shape = shape()
        var nodes: [(name: String, node: NIRNode)] = [("in", NIRNode(.input(shape: shape)))]
        var names = ["in"]
        let count = small(7)
        for index in 0..<count {
            let kind: NIRNode.Kind
            switch small(13) {
            case 0:
                let outputs = size()
                let inputs = small(4) == 0 ? size() : shape.reduce(1, *)
                kind = .affine(weight: array([outputs, inputs]), bias: array(near: [outputs]))
                shape = [outputs]
            case 1:
                let outputs = size()
                kind = .linear(weight: array([outputs, shape.reduce(1, *)]))
                shape = [outputs]
            case 2:
                let channels = shape.count == 3 ? shape[0] : size()
                let (outputs, kernel) = (size(), 1 + small(3))
                let padding: NIRConvolution.Padding = [.values(pair()), .same, .valid][small(3)]
                kind = .conv2d(
                    NIRConvolution(
                        weight: array([outputs, channels, kernel, small(5) == 0 ? size() : kernel]),
                        bias: array(near: [outputs]), stride: pair(), padding: padding,
                        dilation: small(6) == 0 ? pair() : [1, 1], groups: small(6) == 0 ? size() : 1))
            case 3:
                kind = .averagePool2d(
                    NIRPooling(kernelSize: pair(), stride: pair(), padding: small(5) == 0 ? pair() : [0, 0]))
            case 4: kind = .sumPool2d(NIRPooling(kernelSize: pair(), stride: pair()))
            case 5:
                kind = .flatten(startDimension: small(4) - 1, endDimension: small(4) - 2, inputShape: nil)
                shape = [shape.reduce(1, *)]
            case 6:
                let tau = NIRArray(
                    shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Double(1 + next()) * 1e-3 })
                kind = .leakyIntegrateAndFire(
                    tau: small(8) == 0 ? array(shape) : tau, r: array(near: shape), vLeak: array(shape),
                    vThreshold: array(shape), vReset: array(shape))
            case 7: kind = .integrateAndFire(r: array(near: shape), vThreshold: array(shape), vReset: array(shape))
            case 8: kind = .scale(array(near: shape))
            case 9: kind = .threshold(array(near: shape))
            case 10 where depth < 2: kind = .graph(graph(depth: depth + 1))
            case 11: kind = .output(shape: shape)
            default: kind = .input(shape: shape)
            }
            let isGraph: Bool
            if case .graph = kind { isGraph = true } else { isGraph = false }
            let metadata: [String: NIRValue] =
                !isGraph && small(6) == 0 ? ["reset_mechanism": .text(["subtract", "zero", "x"][small(3)])] : [:]
            nodes.append(("n\(index)", NIRNode(kind, metadata: metadata)))
            names.append("n\(index)")
        }
        nodes.append(("out", NIRNode(.output(shape: shape))))
        names.append("out")
        var edges = (1..<names.count).map { (source: names[$0 - 1], target: names[$0]) }
        for _ in 0..<small(4) {
            let source = small(9) == 0 ? "n\(next()).in" : names[small(names.count)]
            edges.append((source, names[small(names.count)]))
        }
        if small(5) == 0, !edges.isEmpty { edges.remove(at: small(edges.count)) }
        let metadata: [String: NIRValue] = small(3) == 0 ? ["dt": .number(value())] : [:]
        return NIRGraph(nodes: nodes, edges: edges, metadata: metadata)
    }
}
