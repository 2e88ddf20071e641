import STBPNetwork
import STBPTensor

/// Turns the nodes of a flattened NIR graph, in topological order, into layers, checking each
/// node's fields against the shape that reaches it.
struct NIRLayerBuilder {
    let graph: FlatNIRGraph
    let timeStep: Double?
    /// One sample's input shape (the Input node's).
    var inputShape: [Int] = []

    init(graph: FlatNIRGraph, timeStep: Double?) {
        self.graph = graph
        self.timeStep = timeStep
    }

    mutating func build(order: [Int]) throws(NIRError) -> Sequential {
        let names = graph.nodes.map(\.name)
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($0.element, $0.offset) })
        let sources = graph.sources
        guard case .input(let shape) = graph.nodes[order[0]].node.kind else {
            preconditionFailure("order starts at Input")
        }
        inputShape = shape
        var shapes: [Int: [Int]] = [order[0]: shape]
        var layers: [Int: any Layer] = [:]
        var outputNode = order[0]
        for node in order.dropFirst() {
            let (name, nirNode) = graph.nodes[node]
            let inputs = sources[node].map { shapes[$0]! }
            guard inputs.allSatisfy({ $0 == inputs[0] }) else {
                throw NIRError(
                    node: name, type: nirNode.typeName, "its inputs are summed but have different shapes \(inputs)")
            }
            let layer = try makeLayer(nirNode, name: name, inputShape: inputs[0])
            do {
                shapes[node] = try layer.outputShape(for: inputs[0])
            } catch {
                throw NIRError(
                    node: name, type: nirNode.typeName, "cannot take input of shape \(inputs[0]): \(error.reason)")
            }
            if case .output(let declared) = nirNode.kind, !graph.passThrough.contains(name) {
                guard declared.reduce(1, *) == inputs[0].reduce(1, *) else {
                    throw NIRError(
                        node: name, type: "Output", field: "shape", "declares \(declared), the graph gives \(inputs[0])"
                    )
                }
                outputNode = node
            }
            layers[node] = layer
        }
        let layerNames = uniqueLayerNames(names)
        // A chain: every node after the input takes only the node before it, which feeds nothing else.
        let isChain =
            order.indices.dropFirst().allSatisfy { step in
                sources[order[step]] == [order[step - 1]] && graph.targets[order[step - 1]].count == 1
            } && order.last == outputNode
        if isChain {
            return Sequential(
                named: order.dropFirst().compactMap { node in
                    if case .output = graph.nodes[node].node.kind { return nil }
                    return (layerNames[node], layers[node]!)
                })
        }
        let graphNodes = order.dropFirst().map { node in
            LayerGraph.Node(
                name: layerNames[node], layer: layers[node]!,
                sources: sources[node].map { $0 == order[0] ? .input : .node(position[$0]! - 1) })
        }
        return Sequential(named: [("graph", LayerGraph(nodes: graphNodes, outputs: [.node(position[outputNode]! - 1)]))]
        )
    }

    /// Node paths as layer names: "." becomes "_", and a repeat gets "_2", "_3".
    func uniqueLayerNames(_ names: [String]) -> [String] {
        var used: Set<String> = []
        return names.map { name in
            let base = name.replacingOccurrences(of: ".", with: "_")
            var unique = base
            var counter = 2
            while !used.insert(unique).inserted {
                unique = "\(base)_\(counter)"
                counter += 1
            }
            return unique
        }
    }

    func makeLayer(_ node: NIRNode, name: String, inputShape: [Int]) throws(NIRError) -> any Layer {
        func failure(_ field: String?, _ reason: String) -> NIRError {
            NIRError(node: name, type: node.typeName, field: field, reason)
        }
        switch node.kind {
        case .input, .output: return Identity()
        case .graph: preconditionFailure("nested graphs are flattened")
        case .affine(let weight, let bias):
            if let voting = Self.voting(weight: weight, bias: bias) { return voting }
            return try dense(weight: weight, bias: bias, inputShape: inputShape, failure: failure)
        case .linear(let weight):
            return try dense(weight: weight, bias: nil, inputShape: inputShape, failure: failure)
        case .conv2d(let conv): return try convolution(conv, inputShape: inputShape, failure: failure)
        case .averagePool2d(let pool): return try pooling(pool, failure: failure)
        case .sumPool2d(let pool):
            let average = try pooling(pool, failure: failure)
            return Sequential(named: [
                ("average", average), ("scale", Scale(Tensor([Float(pool.kernelSize[0] * pool.kernelSize[1])]))),
            ])
        case .flatten(let start, let end, _):
            let rank = inputShape.count
            guard (start == 0 || start == 1 || start == -rank) && (end == -1 || end == rank - 1 || end == rank) else {
                throw failure(
                    "start_dim",
                    "swift-stbp flattens whole samples (start_dim 0, or 1 in torch's batch-first count; "
                        + "end_dim -1), got \(start)...\(end) for a sample of \(inputShape)")
            }
            return Flatten()
        case .leakyIntegrateAndFire(let tau, let r, let vLeak, let vThreshold, let vReset):
            guard let dt = timeStep else { throw missingTimeStep(failure) }
            let ratio = tau.values.map { dt / $0 }
            guard ratio.allSatisfy({ $0 <= 1 }) else {
                throw failure("tau", "a time constant below the time step \(dt) makes forward Euler unstable")
            }
            return try neuron(
                decay: ratio.map { 1 - $0 }, leak: zip(ratio, vLeak.values).map { $0 * $1 },
                gain: zip(ratio, r.values).map { $0 * $1 }, threshold: vThreshold, reset: vReset, node: node,
                inputShape: inputShape, failure: failure)
        case .integrateAndFire(let r, let vThreshold, let vReset):
            guard let dt = timeStep else { throw missingTimeStep(failure) }
            let count = r.values.count
            return try neuron(
                decay: Array(repeating: 1, count: count), leak: Array(repeating: 0, count: count),
                gain: r.values.map { $0 * dt }, threshold: vThreshold, reset: vReset, node: node,
                inputShape: inputShape, failure: failure)
        case .scale(let scale):
            return Scale(try tensor(scale, field: "scale", inputShape: inputShape, failure: failure))
        case .threshold(let threshold):
            return Threshold(try tensor(threshold, field: "threshold", inputShape: inputShape, failure: failure))
        }
    }

    func missingTimeStep(_ failure: (String?, String) -> NIRError) -> NIRError {
        failure(nil, "the graph does not say its time step (metadata \"dt\"); give one (stbp: --dt)")
    }

    /// A neuron layer: `LIF` when it is one (uniform, no leak or reset value, unit gain, hard
    /// reset), else `NIRNeuron`.
    func neuron(
        decay: [Double], leak: [Double], gain: [Double], threshold: NIRArray, reset: NIRArray, node: NIRNode,
        inputShape: [Int], failure: (String?, String) -> NIRError
    ) throws(NIRError) -> any Layer {
        let subtract: Bool
        switch node.metadata["reset_mechanism"] {
        case nil, .text("zero")?, .text("value")?: subtract = false
        case .text("subtract")?: subtract = true
        case let other?: throw failure("metadata", "reset_mechanism \(other) is not \"subtract\" or \"zero\"")
        }
        let uniform = { (values: [Double]) in values.allSatisfy { $0 == values[0] } }
        if !subtract, uniform(decay), uniform(threshold.values), leak.allSatisfy({ $0 == 0 }),
            reset.values.allSatisfy({ $0 == 0 }), gain.allSatisfy({ abs($0 - 1) <= 1e-6 })
        {
            _ = try tensor(threshold, field: "v_threshold", inputShape: inputShape, failure: failure)
            return LIF(decay: Float(decay[0]), threshold: Float(threshold.values[0]))
        }
        let shape = threshold.shape
        func make(_ values: [Double], _ field: String) throws(NIRError) -> Tensor {
            try tensor(NIRArray(shape: shape, values: values), field: field, inputShape: inputShape, failure: failure)
        }
        return NIRNeuron(
            decay: try make(decay, "tau"), leak: try make(leak, "v_leak"), gain: try make(gain, "r"),
            threshold: try make(threshold.values, "v_threshold"), resetValue: try make(reset.values, "v_reset"),
            reset: subtract ? .subtract : .toValue)
    }

    /// A parameter array as a tensor of the sample's shape, or [1] when all its values agree.
    func tensor(
        _ array: NIRArray, field: String, inputShape: [Int], failure: (String?, String) -> NIRError
    )
        throws(NIRError) -> Tensor
    {
        let values = array.values.map { Float($0) }
        guard !values.isEmpty else { throw failure(field, "expected values, got none") }
        if values.allSatisfy({ $0 == values[0] }) { return Tensor([values[0]]) }
        guard values.count == inputShape.reduce(1, *) else {
            throw failure(field, "expected one value or \(inputShape) for its input, got \(array.shape)")
        }
        return Tensor(shape: inputShape, scalars: values)
    }

    func dense(
        weight: NIRArray, bias: NIRArray?, inputShape: [Int], failure: (String?, String) -> NIRError
    )
        throws(NIRError) -> Dense
    {
        let (outputs, inputs) = (weight.shape[0], weight.shape[1])
        guard outputs >= 1, inputs >= 1 else {
            throw failure("weight", "expected at least one input and output, got \(weight.shape)")
        }
        guard inputShape.count == 1, inputs == inputShape[0] else {
            throw failure(
                "weight", "expects \(inputs) inputs but receives \(inputShape) (a Flatten node must come before it)")
        }
        var generator = SeededGenerator(seed: 0)
        let layer = Dense(inputSize: inputs, outputSize: outputs, bias: bias != nil, generator: &generator)
        layer.weight.value = Tensor(shape: weight.shape, scalars: weight.values.map { Float($0) })
        if let bias { layer.bias?.value = Tensor(shape: bias.shape, scalars: bias.values.map { Float($0) }) }
        return layer
    }

    func convolution(
        _ conv: NIRConvolution, inputShape: [Int], failure: (String?, String) -> NIRError
    )
        throws(NIRError) -> Conv2D
    {
        let shape = conv.weight.shape
        guard shape.allSatisfy({ $0 >= 1 }) else { throw failure("weight", "expected positive sizes, got \(shape)") }
        guard shape[2] == shape[3] else {
            throw failure("weight", "swift-stbp runs square kernels, got \(shape[2])x\(shape[3])")
        }
        guard conv.stride[0] == conv.stride[1] else {
            throw failure("stride", "expected equal strides, got \(conv.stride)")
        }
        guard conv.dilation == [1, 1] else {
            throw failure("dilation", "swift-stbp runs dilation 1, got \(conv.dilation)")
        }
        guard conv.groups == 1 else { throw failure("groups", "swift-stbp runs groups = 1, got \(conv.groups)") }
        guard inputShape.count == 3, inputShape[0] == shape[1] else {
            throw failure("weight", "expects \(shape[1]) input maps but receives \(inputShape)")
        }
        let kernel = shape[2]
        let padding: Int
        switch conv.padding {
        case .valid: padding = 0
        case .same:
            guard kernel % 2 == 1, conv.stride[0] == 1 else {
                throw failure("padding", "\"same\" needs an odd kernel and stride 1 here")
            }
            padding = (kernel - 1) / 2
        case .values(let values):
            guard values[0] == values[1] else { throw failure("padding", "expected equal padding, got \(values)") }
            padding = values[0]
        }
        var generator = SeededGenerator(seed: 0)
        let layer = Conv2D(
            inputChannels: shape[1], outputChannels: shape[0], kernelSize: kernel, stride: conv.stride[0],
            padding: padding, generator: &generator)
        layer.weight.value = Tensor(shape: shape, scalars: conv.weight.values.map { Float($0) })
        layer.bias?.value = Tensor(shape: [shape[0]], scalars: conv.bias.values.map { Float($0) })
        return layer
    }

    func pooling(_ pool: NIRPooling, failure: (String?, String) -> NIRError) throws(NIRError) -> AvgPool2D {
        guard pool.kernelSize[0] == pool.kernelSize[1] else {
            throw failure("kernel_size", "swift-stbp pools square windows, got \(pool.kernelSize)")
        }
        guard pool.stride[0] == pool.stride[1] else {
            throw failure("stride", "expected equal strides, got \(pool.stride)")
        }
        guard pool.padding == [0, 0] else {
            throw failure("padding", "swift-stbp pools without padding, got \(pool.padding)")
        }
        return AvgPool2D(kernelSize: pool.kernelSize[0], stride: pool.stride[0])
    }

    /// `Voting` when an Affine's weight averages blocks of `votes` inputs per class (Float(1/votes)
    /// at (c, c·votes + j), 0 elsewhere) and its bias is 0: the node swift-stbp writes for Voting.
    static func voting(weight: NIRArray, bias: NIRArray) -> Voting? {
        let (classes, inputs) = (weight.shape[0], weight.shape[1])
        guard classes >= 1, inputs % classes == 0, inputs > classes, bias.values.allSatisfy({ $0 == 0 }) else {
            return nil
        }
        let votes = inputs / classes
        let share = Double(Float(1) / Float(votes))
        for c in 0..<classes {
            for i in 0..<inputs where weight.values[c * inputs + i] != (i / votes == c ? share : 0) { return nil }
        }
        return Voting(classes: classes, votes: votes)
    }
}
