/// A graph in NIR, the Neuromorphic Intermediate Representation (the `nir` package, read and
/// written by snnTorch, Norse, SpikingJelly, Sinabs, Lava and others): named nodes and the
/// edges between them. A node with several incoming edges receives their sum.
///
/// Read one with `NIRGraph(contentsOf:)`, write one with `write(to:)`; `NIRGraph(exporting:)`
/// makes one of a trained `Network`, and `Network(nir:timeStep:)` runs one.
public struct NIRGraph: Equatable {
    /// The nodes with their names, in file order.
    public var nodes: [(name: String, node: NIRNode)]
    /// The edges (source node, target node).
    public var edges: [(source: String, target: String)]
    /// The graph's metadata (swift-stbp writes `dt` and `discretisation`).
    public var metadata: [String: NIRValue]

    /// A graph of `nodes` and `edges`.
    public init(
        nodes: [(name: String, node: NIRNode)], edges: [(source: String, target: String)],
        metadata: [String: NIRValue] = [:]
    ) {
        self.nodes = nodes
        self.edges = edges
        self.metadata = metadata
    }

    /// The node called `name`, if any.
    public subscript(name: String) -> NIRNode? { nodes.first { $0.name == name }?.node }

    /// Whether two graphs have the same nodes (in any order: HDF5 lists them by name), the same
    /// edges in the same order (the order of a sum's terms) and the same metadata.
    public static func == (a: NIRGraph, b: NIRGraph) -> Bool {
        let (x, y) = (a.nodes.sorted { $0.name < $1.name }, b.nodes.sorted { $0.name < $1.name })
        return x.count == y.count && zip(x, y).allSatisfy { $0.name == $1.name && $0.node == $1.node }
            && a.edges.count == b.edges.count
            && zip(a.edges, b.edges).allSatisfy { $0.source == $1.source && $0.target == $1.target }
            && a.metadata == b.metadata
    }
}

/// One node of a NIR graph: what it computes, and its metadata.
public struct NIRNode: Equatable {
    /// The node types swift-stbp reads and writes, with NIR's fields (arrays of the neurons'
    /// shape for neuron parameters; shapes without the batch axis).
    public indirect enum Kind: Equatable {
        /// The graph's input, of one sample's shape.
        case input(shape: [Int])
        /// The graph's output, of one sample's shape.
        case output(shape: [Int])
        /// y = W x + b: weight [out, in], bias [out].
        case affine(weight: NIRArray, bias: NIRArray)
        /// y = W x: weight [out, in].
        case linear(weight: NIRArray)
        /// A 2-D convolution: weight [Cout, Cin, kh, kw], bias [Cout].
        case conv2d(NIRConvolution)
        /// Average pooling over windows of `kernelSize` (height, width).
        case averagePool2d(NIRPooling)
        /// Sum pooling over windows of `kernelSize` (height, width).
        case sumPool2d(NIRPooling)
        /// Flattens the axes `startDimension...endDimension` (-1: the last) of a sample.
        case flatten(startDimension: Int, endDimension: Int, inputShape: [Int]?)
        /// Leaky integrate-and-fire: τ dv/dt = (v_leak - v) + r I; a spike when v > v_threshold,
        /// then v = v_reset.
        case leakyIntegrateAndFire(tau: NIRArray, r: NIRArray, vLeak: NIRArray, vThreshold: NIRArray, vReset: NIRArray)
        /// Integrate-and-fire: dv/dt = r I; a spike when v > v_threshold, then v = v_reset.
        case integrateAndFire(r: NIRArray, vThreshold: NIRArray, vReset: NIRArray)
        /// y = x ⊙ scale.
        case scale(NIRArray)
        /// y = 1[x > threshold], without state.
        case threshold(NIRArray)
        /// A graph nested as one node; edges reach its nodes as "<node>.<inner node>".
        case graph(NIRGraph)
    }

    /// What the node computes.
    public var kind: Kind
    /// The node's metadata (e.g. `reset_mechanism` = "subtract" on an IF or LIF node). A graph
    /// node's metadata is its graph's: written with it, and read into `NIRGraph.metadata`.
    public var metadata: [String: NIRValue]

    /// A node of `kind`.
    public init(_ kind: Kind, metadata: [String: NIRValue] = [:]) {
        self.kind = kind
        self.metadata = metadata
    }

    /// NIR's name of the node's type ("Conv2d", "LIF", ...).
    public var typeName: String {
        switch kind {
        case .input: "Input"
        case .output: "Output"
        case .affine: "Affine"
        case .linear: "Linear"
        case .conv2d: "Conv2d"
        case .averagePool2d: "AvgPool2d"
        case .sumPool2d: "SumPool2d"
        case .flatten: "Flatten"
        case .leakyIntegrateAndFire: "LIF"
        case .integrateAndFire: "IF"
        case .scale: "Scale"
        case .threshold: "Threshold"
        case .graph: "NIRGraph"
        }
    }
}

/// An array of numbers with its shape, in row-major order ([] for a scalar). Numbers are kept
/// as Double, so that float64 files lose nothing.
public struct NIRArray: Equatable {
    /// The dimensions.
    public var shape: [Int]
    /// shape.reduce(1, *) values.
    public var values: [Double]

    /// An array of `values` in `shape`.
    public init(shape: [Int], values: [Double]) {
        precondition(shape.reduce(1, *) == values.count, "An array of shape \(shape) holds \(values.count) values.")
        self.shape = shape
        self.values = values
    }

    /// `value` repeated over `shape`.
    public init(shape: [Int], repeating value: Double) {
        self.init(shape: shape, values: Array(repeating: value, count: shape.reduce(1, *)))
    }
}

/// A convolution node's fields. `padding` is per axis (height, width), or NIR's "same" or "valid".
public struct NIRConvolution: Equatable {
    /// How the input is padded.
    public enum Padding: Equatable {
        /// Zeros on each side of each axis (height, width).
        case values([Int])
        /// As much as keeps the output the size of the input (stride 1).
        case same
        /// None.
        case valid
    }
    /// [Cout, Cin, kh, kw].
    public var weight: NIRArray
    /// [Cout].
    public var bias: NIRArray
    /// (height, width).
    public var stride: [Int]
    /// Per axis, or "same" or "valid".
    public var padding: Padding
    /// (height, width).
    public var dilation: [Int]
    /// The number of groups.
    public var groups: Int
    /// The input's spatial shape (height, width), when the file says.
    public var inputShape: [Int]?

    /// A convolution node's fields.
    public init(
        weight: NIRArray, bias: NIRArray, stride: [Int], padding: Padding, dilation: [Int] = [1, 1], groups: Int = 1,
        inputShape: [Int]? = nil
    ) {
        self.weight = weight
        self.bias = bias
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.inputShape = inputShape
    }
}

/// A pooling node's fields, each per axis (height, width).
public struct NIRPooling: Equatable {
    /// The window.
    public var kernelSize: [Int]
    /// The step between windows.
    public var stride: [Int]
    /// Zeros on each side.
    public var padding: [Int]

    /// A pooling node's fields.
    public init(kernelSize: [Int], stride: [Int], padding: [Int] = [0, 0]) {
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
    }
}

/// A metadata value: a number or a string.
public enum NIRValue: Equatable, Sendable {
    /// A number.
    case number(Double)
    /// A string.
    case text(String)
}
