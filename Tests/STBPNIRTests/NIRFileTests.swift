import Foundation
import STBPNetwork
import STBPTensor
import Testing

@testable import STBPNIR

/// NIR files: every node type written and read back unchanged, and hostile files refused with
/// errors that name the node and field.
@Suite struct NIRFileTests {
    static func array(_ shape: [Int], from start: Double = 0.25) -> NIRArray {
        NIRArray(shape: shape, values: (0..<shape.reduce(1, *)).map { start + Double($0) * 0.5 })
    }

    /// A graph with one node of every type swift-stbp reads and writes, a nested graph and metadata.
    static var everyNodeType: NIRGraph {
        let inner = NIRGraph(
            nodes: [
                ("input", NIRNode(.input(shape: [3]))), ("scale", NIRNode(.scale(array([3])))),
                ("output", NIRNode(.output(shape: [3]))),
            ],
            edges: [("input", "scale"), ("scale", "output")])
        let conv = NIRConvolution(
            weight: array([2, 1, 3, 3]), bias: array([2]), stride: [1, 1], padding: .values([1, 1]), inputShape: [6, 6])
        return NIRGraph(
            nodes: [
                ("input", NIRNode(.input(shape: [1, 6, 6]))),
                ("conv", NIRNode(.conv2d(conv))),
                (
                    "same",
                    NIRNode(
                        .conv2d(
                            NIRConvolution(
                                weight: array([2, 2, 3, 3]), bias: array([2]), stride: [1, 1], padding: .same)))
                ),
                (
                    "lif",
                    NIRNode(
                        .leakyIntegrateAndFire(
                            tau: array([2, 6, 6], from: 1e-4), r: array([2, 6, 6]), vLeak: array([2, 6, 6]),
                            vThreshold: array([2, 6, 6]), vReset: array([2, 6, 6])),
                        metadata: ["reset_mechanism": .text("subtract")])
                ),
                ("pool", NIRNode(.averagePool2d(NIRPooling(kernelSize: [2, 2], stride: [2, 2])))),
                ("sum", NIRNode(.sumPool2d(NIRPooling(kernelSize: [3, 3], stride: [3, 3])))),
                ("flatten", NIRNode(.flatten(startDimension: 0, endDimension: -1, inputShape: [2, 1, 1]))),
                ("affine", NIRNode(.affine(weight: array([3, 2]), bias: array([3])))),
                ("if", NIRNode(.integrateAndFire(r: array([3]), vThreshold: array([3]), vReset: array([3])))),
                ("linear", NIRNode(.linear(weight: array([3, 3])))),
                ("threshold", NIRNode(.threshold(array([3])))),
                ("block", NIRNode(.graph(inner))),
                ("output", NIRNode(.output(shape: [3]))),
            ],
            edges: [
                ("input", "conv"), ("conv", "same"), ("same", "lif"), ("lif", "pool"), ("pool", "sum"),
                ("sum", "flatten"),
                ("flatten", "affine"), ("affine", "if"), ("if", "linear"), ("linear", "threshold"),
                ("threshold", "block"),
                ("block", "output"),
            ],
            metadata: ["dt": .number(1e-4), "source": .text("test")])
    }

    @Test func everyNodeTypeReadsBackAsWritten() throws {
        let graph = Self.everyNodeType
        let url = temporaryFile("every.nir")
        try graph.write(to: url)
        let read = try NIRGraph(contentsOf: url)
        #expect(read == graph)
        // HDF5 lists a group's members by name; the order of nodes means nothing in NIR.
        #expect(read.nodes.map(\.name) == graph.nodes.map(\.name).sorted())
    }

    @Test func theGraphRunsAfterReading() throws {
        let url = temporaryFile("every.nir")
        try Self.everyNodeType.write(to: url)
        let network = try Network(nir: try NIRGraph(contentsOf: url))
        #expect(network.outputShape == [3])
        _ = spikes(of: network, input: randomInput([2, 1, 6, 6], seed: 1))
    }

    /// Each hostile fixture file and the node, field and words its error must give.
    static let hostile: [(file: String, node: String, field: String?, words: String)] = [
        ("hostile-missing-field.nir", "fc", "bias", "missing"),
        ("hostile-wrong-shape.nir", "fc", "bias", "expected [2]"),
        ("hostile-unknown-edge.nir", "", "edges", "nowhere"),
        ("hostile-cycle.nir", "fc", nil, "cycle"),
        ("hostile-unknown-type.nir", "fc", nil, "does not read this node type"),
        ("hostile-huge.nir", "fc", "weight", "declared size"),
        ("hostile-not-hdf5.nir", "", nil, "not an HDF5 file"),
    ]

    @Test(arguments: hostile.indices)
    func hostileFilesAreRefusedNamingTheNodeAndField(index: Int) throws {
        let (file, node, field, words) = Self.hostile[index]
        let url = fixtures.appendingPathComponent(file)
        do throws(NIRError) {
            _ = try Network(nir: try NIRGraph(contentsOf: url))
            Issue.record("\(file) was accepted")
        } catch {
            #expect(error.node == node, "\(error)")
            #expect(error.field == field, "\(error)")
            #expect(error.file == url.path || error.file == nil)
            #expect(error.description.contains(words), "\(error)")
        }
    }

    @Test func theValidHostileTemplateLoads() throws {
        let network = try Network(nir: try NIRGraph(contentsOf: fixtures.appendingPathComponent("hostile-valid.nir")))
        #expect(network.outputShape == [2])
    }

    @Test func graphsThatCannotRunAreRefusedNamingTheNode() throws {
        func refusal(_ nodes: [(String, NIRNode)], _ edges: [(String, String)], dt: Double? = 1e-4) -> NIRError? {
            let graph = NIRGraph(
                nodes: nodes.map { (name: $0.0, node: $0.1) }, edges: edges.map { (source: $0.0, target: $0.1) })
            do throws(NIRError) {
                _ = try Network(nir: graph, timeStep: dt)
                return nil
            } catch { return error }
        }
        let input = ("in", NIRNode(.input(shape: [2, 4, 4])))
        let output = ("out", NIRNode(.output(shape: [2, 4, 4])))
        let dilated = NIRConvolution(
            weight: Self.array([2, 2, 3, 3]), bias: Self.array([2]), stride: [1, 1], padding: .same, dilation: [2, 2])
        #expect(
            refusal([input, ("c", NIRNode(.conv2d(dilated))), output], [("in", "c"), ("c", "out")])?.field == "dilation"
        )
        let lif = NIRNode(
            .leakyIntegrateAndFire(
                tau: Self.array([2, 4, 4]), r: Self.array([2, 4, 4]), vLeak: Self.array([2, 4, 4]),
                vThreshold: Self.array([2, 4, 4]), vReset: Self.array([2, 4, 4])))
        let noStep = refusal([input, ("n", lif), output], [("in", "n"), ("n", "out")], dt: nil)
        #expect(noStep?.node == "n" && noStep?.description.contains("time step") == true)
        let unfed = refusal([input, ("n", lif), output], [("in", "out")])
        #expect(unfed?.node == "n" && unfed?.description.contains("no edge leads") == true)
        let twoInputs = refusal(
            [input, ("in2", NIRNode(.input(shape: [2, 4, 4]))), output], [("in", "out"), ("in2", "out")])
        #expect(twoInputs?.description.contains("one Input node") == true)
        let padded = NIRNode(.averagePool2d(NIRPooling(kernelSize: [2, 2], stride: [2, 2], padding: [1, 1])))
        #expect(refusal([input, ("p", padded), output], [("in", "p"), ("p", "out")])?.field == "padding")
        let wrongOutput = ("out", NIRNode(.output(shape: [5])))
        #expect(refusal([input, wrongOutput], [("in", "out")])?.field == "shape")
    }
}
