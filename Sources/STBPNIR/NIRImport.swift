import STBPNetwork
import STBPTensor

extension Network {
    /// Builds a runnable network from a NIR graph (one written by swift-stbp, snnTorch, Norse or
    /// any other NIR writer): a `Sequential` when the graph is a chain (neurons and pooling then
    /// run fused), else a `LayerGraph` named "graph". Nested graphs are flattened; their Input and
    /// Output nodes pass values through.
    ///
    /// LIF and IF nodes are discretised by forward Euler with step `timeStep` (by default the
    /// graph's `dt` metadata, which swift-stbp writes): k = 1 - dt/τ, and a node with
    /// v_leak = 0, v_reset = 0 and (dt/τ) r = 1 becomes a `LIF`, others a `NIRNeuron`
    /// (Docs/NIR.md gives the mapping). A node whose metadata says `reset_mechanism` = "subtract"
    /// resets by subtraction, others to v_reset, as NIR states. An Affine whose weights are the
    /// voting pattern (1/votes over each class's block, bias 0) becomes `Voting`.
    ///
    /// Throws `NIRError` naming the node and field for: several or no Input or Output nodes,
    /// edges to unknown nodes, cycles (recurrent edges), nodes nothing feeds, node types or
    /// options swift-stbp cannot run (dilation, groups, unequal strides, padded pooling), shapes
    /// that do not fit, and a missing time step.
    public convenience init(nir graph: NIRGraph, timeStep: Double? = nil) throws(NIRError) {
        let flat = try FlatNIRGraph(graph)
        let order = try flat.topologicalOrder()
        let dt: Double?
        if let timeStep {
            dt = timeStep
        } else if case .number(let value)? = graph.metadata["dt"] {
            dt = value
        } else {
            dt = nil
        }
        if let dt, !(dt > 0 && dt.isFinite) {
            throw NIRError(node: "", field: "dt", "expected a time step above 0, got \(dt)")
        }
        var builder = NIRLayerBuilder(graph: flat, timeStep: dt)
        let layers = try builder.build(order: order)
        do {
            try self.init(inputShape: builder.inputShape, layers: layers)
        } catch let error as NetworkShapeError {
            throw NIRError(node: error.layer, "the graph cannot run: \(error)")
        } catch {
            throw NIRError(node: "", "the graph cannot run: \(error)")
        }
    }
}

/// A NIR graph with nested graphs flattened: nodes named by their path ("block.lif"), the inner
/// Input and Output nodes of a subgraph turned into pass-throughs, edges to and from a subgraph
/// node redirected to its Input and from its Output nodes.
struct FlatNIRGraph {
    var nodes: [(name: String, node: NIRNode)] = []
    var edges: [(source: String, target: String)] = []
    /// The names of the nodes that pass values through (a subgraph's Input and Output).
    var passThrough: Set<String> = []
    /// For each node (by position), the nodes its incoming edges come from, in edge order.
    var sources: [[Int]] = []
    /// For each node, the nodes its outgoing edges lead to.
    var targets: [[Int]] = []

    init(_ graph: NIRGraph) throws(NIRError) {
        try add(graph, prefix: "", depth: 0)
        let names = Set(nodes.map(\.name))
        guard names.count == nodes.count else {
            throw NIRError(node: "", field: "nodes", "two nodes have the same path once nested graphs are flattened")
        }
        for (source, target) in edges {
            for name in [source, target] where !names.contains(name) {
                throw NIRError(node: "", field: "edges", "an edge \(source) -> \(target) names no node \"\(name)\"")
            }
        }
        let index = Dictionary(uniqueKeysWithValues: nodes.enumerated().map { ($0.element.name, $0.offset) })
        sources = Array(repeating: [], count: nodes.count)
        targets = Array(repeating: [], count: nodes.count)
        for (source, target) in edges {
            sources[index[target]!].append(index[source]!)
            targets[index[source]!].append(index[target]!)
        }
    }

    /// Adds `graph`'s nodes under `prefix` and its edges; returns its Input and Output nodes' names.
    @discardableResult
    mutating func add(
        _ graph: NIRGraph, prefix: String, depth: Int
    ) throws(NIRError) -> (inputs: [String], outputs: [String]) {
        guard depth <= 16 else { throw NIRError(node: prefix, "graphs nest more than 16 deep") }
        var inputs: [String] = [], outputs: [String] = []
        var subgraphs: [String: (inputs: [String], outputs: [String])] = [:]
        for (name, node) in graph.nodes {
            let path = prefix.isEmpty ? name : "\(prefix).\(name)"
            switch node.kind {
            case .graph(let inner):
                subgraphs[name] = try add(inner, prefix: path, depth: depth + 1)
            case .input:
                inputs.append(path)
                nodes.append((path, node))
                if depth > 0 { passThrough.insert(path) }
            case .output:
                outputs.append(path)
                nodes.append((path, node))
                if depth > 0 { passThrough.insert(path) }
            default:
                nodes.append((path, node))
            }
        }
        func qualified(_ name: String) -> String { prefix.isEmpty ? name : "\(prefix).\(name)" }
        for (source, target) in graph.edges {
            let sources = subgraphs[source].map(\.outputs) ?? [qualified(source)]
            let targets = subgraphs[target].map(\.inputs) ?? [qualified(target)]
            for from in sources { for to in targets { edges.append((from, to)) } }
        }
        return (inputs, outputs)
    }

    /// The nodes in an order where every edge goes forward, starting at the one Input node;
    /// throws for a cycle, a node nothing feeds, or not exactly one top-level Input and Output.
    func topologicalOrder() throws(NIRError) -> [Int] {
        var incoming = sources.map(\.count)
        let inputs = nodes.indices.filter {
            if case .input = nodes[$0].node.kind { !passThrough.contains(nodes[$0].name) } else { false }
        }
        let outputs = nodes.indices.filter {
            if case .output = nodes[$0].node.kind { !passThrough.contains(nodes[$0].name) } else { false }
        }
        guard inputs.count == 1 else {
            throw NIRError(node: "", field: "nodes", "expected one Input node, found \(inputs.count)")
        }
        guard outputs.count == 1 else {
            throw NIRError(node: "", field: "nodes", "expected one Output node, found \(outputs.count)")
        }
        for node in nodes.indices where incoming[node] == 0 && node != inputs[0] {
            throw NIRError(node: nodes[node].name, type: nodes[node].node.typeName, "no edge leads to this node")
        }
        guard incoming[inputs[0]] == 0 else {
            throw NIRError(node: nodes[inputs[0]].name, type: "Input", "an edge leads into the Input node")
        }
        var order: [Int] = []
        var ready = [inputs[0]]
        while let node = ready.popLast() {
            order.append(node)
            for next in targets[node] {
                incoming[next] -= 1
                if incoming[next] == 0 { ready.append(next) }
            }
        }
        if order.count < nodes.count {
            let stuck = nodes.indices.first { incoming[$0] > 0 }!
            throw NIRError(
                node: nodes[stuck].name, type: nodes[stuck].node.typeName,
                "it lies on a cycle (a recurrent edge), which swift-stbp cannot run")
        }
        return order
    }
}
