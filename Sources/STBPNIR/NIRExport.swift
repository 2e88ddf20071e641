import STBPNetwork
import STBPTensor

extension NIRGraph {
    /// The NIR graph of `network`: an Input node of its input shape, one node per layer (names
    /// from the layer's path, "0_conv2d", "0_lif", "3_main_0_conv2d"), branches summed by edges
    /// into one node, and an Output node. `LIF` and `PLIF` neurons become NIR LIF nodes by
    /// forward Euler with step `timeStep` (τ = dt/(1 - k), r = 1/(1 - k), v_leak = 0, v_reset = 0;
    /// with decay 1, IF nodes with r = 1/dt), `Dense` after maps gets a Flatten node, `Voting`
    /// becomes an Affine of fixed weights 1/votes, and `Dropout` and `Identity` vanish (dropout
    /// is off at inference). The graph's metadata records dt and the discretisation.
    ///
    /// Throws `NIRError` naming the layer for what NIR cannot express: NeuNorm, adaptive
    /// thresholds (`ALIF`), concatenated branches, and layers of types it does not know. The
    /// network's readout (the mean over T of the output) is not part of the graph.
    public init(exporting network: Network, timeStep dt: Double = 1e-4) throws(NIRError) {
        guard dt > 0, dt.isFinite else { throw NIRError(node: "", field: "dt", "expected a time step above 0") }
        var exporter = NIRExporter(timeStep: dt)
        let input = exporter.add("input", .input(shape: network.inputShape), from: [])
        let (sources, shape) = try exporter.export(
            network.layers, path: "", sources: [input], shape: network.inputShape)
        _ = exporter.add("output", .output(shape: shape), from: sources)
        self.init(
            nodes: exporter.nodes, edges: exporter.edges,
            metadata: [
                "dt": .number(dt), "discretisation": .text("forward-euler"), "source": .text("swift-stbp"),
                "readout": .text("mean of the output over the time steps"),
            ])
    }
}

/// Walks a network's layers, adding a node per layer and edges from the nodes that feed it.
struct NIRExporter {
    let timeStep: Double
    var nodes: [(name: String, node: NIRNode)] = []
    var edges: [(source: String, target: String)] = []
    var names: Set<String> = []

    init(timeStep: Double) { self.timeStep = timeStep }

    /// Adds `kind` under a name not used yet (`name`, else `name_2`, ...) with edges from `sources`.
    mutating func add(
        _ name: String, _ kind: NIRNode.Kind, metadata: [String: NIRValue] = [:], from sources: [String]
    )
        -> String
    {
        var unique = name
        var counter = 2
        while names.contains(unique) {
            unique = "\(name)_\(counter)"
            counter += 1
        }
        names.insert(unique)
        nodes.append((unique, NIRNode(kind, metadata: metadata)))
        edges += sources.map { ($0, unique) }
        return unique
    }

    /// Exports `layer` at `path` fed by the sum of `sources` of one sample's `shape`: the nodes
    /// whose sum is its output, and the output's shape.
    mutating func export(
        _ layer: any Layer, path: String, sources: [String], shape: [Int]
    ) throws(NIRError)
        -> (sources: [String], shape: [Int])
    {
        let base = path.replacingOccurrences(of: ".", with: "_")
        let outputShape: [Int]
        do {
            outputShape = try layer.outputShape(for: shape)
        } catch {
            throw NIRError(node: path, "the layer cannot take its input: \(error)")
        }
        func refuse(_ reason: String) -> NIRError {
            NIRError(node: path, type: String(describing: type(of: layer)), "cannot be exported to NIR: \(reason)")
        }
        func node(_ suffix: String, _ kind: NIRNode.Kind, metadata: [String: NIRValue] = [:]) -> [String] {
            [add(base.isEmpty ? suffix : "\(base)_\(suffix)", kind, metadata: metadata, from: sources)]
        }
        func child(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }
        switch layer {
        case let sequential as Sequential:
            var current = (sources: sources, shape: shape)
            for (name, sublayer) in sequential.sublayers {
                current = try export(sublayer, path: child(name), sources: current.sources, shape: current.shape)
            }
            return current
        case let parallel as Parallel:
            guard parallel.merge == .sum else { throw refuse("NIR has no node that concatenates branches") }
            return (try branches(parallel.sublayers, path: path, sources: sources, shape: shape), outputShape)
        case is Residual:
            return (try branches(layer.sublayers, path: path, sources: sources, shape: shape), outputShape)
        case let graph as LayerGraph:
            var results: [[String]] = []
            func resolve(_ source: LayerGraph.Source) -> [String] {
                switch source {
                case .input: sources
                case .node(let index): results[index]
                }
            }
            var shapes: [[Int]] = []
            for graphNode in graph.nodes {
                let input = graphNode.sources.flatMap(resolve)
                let first = graphNode.sources[0]
                let inputShape: [Int]
                if case .node(let index) = first { inputShape = shapes[index] } else { inputShape = shape }
                let (out, outShape) = try export(
                    graphNode.layer, path: child(graphNode.name), sources: input, shape: inputShape)
                results.append(out)
                shapes.append(outShape)
            }
            return (graph.outputs.flatMap(resolve), outputShape)
        case is Identity, is Dropout:
            return (sources, shape)
        case let conv as Conv2D:
            let convolution = NIRConvolution(
                weight: NIRArray(conv.weight.value),
                bias: conv.bias.map { NIRArray($0.value) }
                    ?? NIRArray(shape: [conv.outputChannels], repeating: 0),
                stride: [conv.stride, conv.stride], padding: .values([conv.padding, conv.padding]),
                inputShape: Array(shape.dropFirst()))
            return (node("conv2d", .conv2d(convolution)), outputShape)
        case let dense as Dense:
            var feeding = sources
            if shape.count != 1 {
                feeding = [
                    add(
                        base.isEmpty ? "flatten" : "\(base)_flatten",
                        .flatten(startDimension: 0, endDimension: -1, inputShape: shape), from: sources)
                ]
            }
            let weight = NIRArray(dense.weight.value)
            let kind: NIRNode.Kind =
                dense.bias.map { .affine(weight: weight, bias: NIRArray($0.value)) } ?? .linear(weight: weight)
            return ([add(base.isEmpty ? "dense" : "\(base)_dense", kind, from: feeding)], outputShape)
        case let pool as AvgPool2D:
            let pooling = NIRPooling(
                kernelSize: [pool.kernelSize, pool.kernelSize], stride: [pool.stride, pool.stride], padding: [0, 0])
            return (node("avgpool2d", .averagePool2d(pooling)), outputShape)
        case is Flatten:
            return (node("flatten", .flatten(startDimension: 0, endDimension: -1, inputShape: shape)), outputShape)
        case let voting as Voting:
            var weight = NIRArray(shape: [voting.classes, voting.classes * voting.votes], repeating: 0)
            let share = Double(Float(1) / Float(voting.votes))
            for c in 0..<voting.classes {
                for j in 0..<voting.votes {
                    weight.values[c * voting.classes * voting.votes + c * voting.votes + j] = share
                }
            }
            return (
                node("voting", .affine(weight: weight, bias: NIRArray(shape: [voting.classes], repeating: 0))),
                outputShape
            )
        case let lif as LIF:
            guard lif.surrogate.firesBinarySpikes else { throw refuse("its surrogate's spikes are not 0 or 1") }
            guard let (suffix, kind) = neuron(decay: Double(lif.decay), threshold: Double(lif.threshold), shape: shape)
            else { throw refuse("a decay of \(lif.decay) has no time constant (0 <= k <= 1)") }
            return (node(suffix, kind), shape)
        case let plif as PLIF:
            guard plif.surrogate.firesBinarySpikes else { throw refuse("its surrogate's spikes are not 0 or 1") }
            let threshold = Double(plif.threshold.value.scalars[0])
            guard let (suffix, kind) = neuron(decay: Double(plif.decay), threshold: threshold, shape: shape) else {
                throw refuse("a decay of \(plif.decay) has no time constant (0 <= k <= 1)")
            }
            return (node(suffix, kind), shape)
        case let imported as NIRNeuron:
            guard let kind = neuronKind(imported, shape: shape) else { throw refuse("decays outside [0, 1]") }
            let subtractive = imported.reset == .subtract
            return (
                node(
                    kind.isIntegrateAndFire ? "if" : "lif", kind,
                    metadata: subtractive ? ["reset_mechanism": .text("subtract")] : [:]), shape
            )
        case let scale as Scale:
            return (node("scale", .scale(NIRArray(scale.factors, expandedTo: shape))), shape)
        case let threshold as Threshold:
            return (node("threshold", .threshold(NIRArray(threshold.threshold, expandedTo: shape))), shape)
        case is NeuNorm:
            throw refuse(
                "NIR has no node for NeuNorm's auxiliary neurons (a leaky average over maps, scaled per map and "
                    + "location); train without NN to export")
        case is ALIF:
            throw refuse("NIR has no adaptive-threshold neuron")
        default:
            throw refuse(
                "NIR export knows Conv2D, Dense, AvgPool2D, Flatten, LIF, PLIF, Voting, Dropout and their compositions")
        }
    }

    /// Exports each branch from the same sources; their outputs are summed where they meet.
    mutating func branches(
        _ branches: [(name: String, layer: any Layer)], path: String, sources: [String], shape: [Int]
    )
        throws(NIRError) -> [String]
    {
        var outputs: [String] = []
        for (name, branch) in branches {
            outputs += try export(branch, path: path.isEmpty ? name : "\(path).\(name)", sources: sources, shape: shape)
                .sources
        }
        return outputs
    }

    /// A LIF node's suffix and fields for decay k in [0, 1) and a threshold, an IF node's for k = 1;
    /// nil for another decay.
    func neuron(decay k: Double, threshold: Double, shape: [Int]) -> (suffix: String, kind: NIRNode.Kind)? {
        let dt = timeStep
        let values = { (value: Double) in NIRArray(shape: shape, repeating: value) }
        if k == 1 {
            return ("if", .integrateAndFire(r: values(1 / dt), vThreshold: values(threshold), vReset: values(0)))
        }
        guard k >= 0, k < 1 else { return nil }
        return (
            "lif",
            .leakyIntegrateAndFire(
                tau: values(dt / (1 - k)), r: values(1 / (1 - k)), vLeak: values(0), vThreshold: values(threshold),
                vReset: values(0))
        )
    }

    /// NIR's fields of an imported neuron: the inverse of `Network(nir:timeStep:)`'s mapping.
    func neuronKind(_ neuron: NIRNeuron, shape: [Int]) -> NIRNode.Kind? {
        let dt = timeStep
        let k = NIRArray(neuron.decay, expandedTo: shape).values
        let leak = NIRArray(neuron.leak, expandedTo: shape).values
        let gain = NIRArray(neuron.gain, expandedTo: shape).values
        let threshold = NIRArray(neuron.threshold, expandedTo: shape)
        let reset = NIRArray(neuron.resetValue, expandedTo: shape)
        if k.allSatisfy({ $0 == 1 }) && leak.allSatisfy({ $0 == 0 }) {
            return .integrateAndFire(
                r: NIRArray(shape: shape, values: gain.map { $0 / dt }), vThreshold: threshold, vReset: reset)
        }
        guard k.allSatisfy({ $0 >= 0 && $0 < 1 }) else { return nil }
        return .leakyIntegrateAndFire(
            tau: NIRArray(shape: shape, values: k.map { dt / (1 - $0) }),
            r: NIRArray(shape: shape, values: zip(gain, k).map { $0 / (1 - $1) }),
            vLeak: NIRArray(shape: shape, values: zip(leak, k).map { $0 / (1 - $1) }), vThreshold: threshold,
            vReset: reset)
    }
}

extension NIRNode.Kind {
    var isIntegrateAndFire: Bool {
        if case .integrateAndFire = self { true } else { false }
    }
}

extension NIRArray {
    /// The tensor's shape and values.
    init(_ tensor: Tensor) { self.init(shape: tensor.shape, values: tensor.scalars.map(Double.init)) }

    /// A tensor of `shape`, or a [1] tensor repeated over `shape`.
    init(_ tensor: Tensor, expandedTo shape: [Int]) {
        if tensor.count == 1 {
            self.init(shape: shape, repeating: Double(tensor.scalars[0]))
        } else {
            self.init(shape: shape, values: tensor.scalars.map(Double.init))
        }
    }
}
