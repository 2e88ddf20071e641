import STBPAutodiff
import STBPNetwork
import STBPTensor

/// Layers wired as a directed acyclic graph, as NIR describes a network: each node takes the
/// sum of its predecessors' outputs (or the graph's input), and the graph's output is the sum
/// of the outputs it lists. Nodes run in the order given, which must be topological; a chain
/// is better written as a `Sequential` (which fuses neurons and pooling).
public struct LayerGraph: Layer {
    /// Where a node's input comes from: the graph's input, or an earlier node (by position).
    public enum Source: Hashable, Sendable {
        /// The graph's input.
        case input
        /// The output of the node at this position.
        case node(Int)
    }

    /// One node: its name (no "."), its layer and its sources, summed.
    public struct Node {
        /// The node's name, used in parameter paths.
        public let name: String
        /// What the node computes.
        public let layer: any Layer
        /// The outputs summed into its input (at least one).
        public let sources: [Source]

        /// A node called `name` running `layer` on the sum of `sources`.
        public init(name: String, layer: any Layer, sources: [Source]) {
            self.name = name
            self.layer = layer
            self.sources = sources
        }
    }

    /// The nodes in a topological order.
    public let nodes: [Node]
    /// The outputs summed into the graph's output.
    public let outputs: [Source]

    /// A graph of `nodes` (each source an earlier node or the input) whose output is the sum of
    /// `outputs`.
    public init(nodes: [Node], outputs: [Source]) {
        for (index, node) in nodes.enumerated() {
            precondition(!node.sources.isEmpty, "Node \(node.name) has no source.")
            precondition(!node.name.isEmpty && !node.name.contains("."), "Node names must be non-empty, without \".\".")
            for case .node(let source) in node.sources {
                precondition(
                    source >= 0 && source < index, "Node \(node.name) takes a later node; order them topologically.")
            }
        }
        precondition(!outputs.isEmpty, "A graph needs an output.")
        self.nodes = nodes
        self.outputs = outputs
    }

    /// The nodes' layers, named by node.
    public var sublayers: [(name: String, layer: any Layer)] { nodes.map { ($0.name, $0.layer) } }

    /// Each node's output shape for one sample of `inputShape`.
    func nodeShapes(for inputShape: [Int]) throws(NetworkShapeError) -> [[Int]] {
        var shapes: [[Int]] = []
        for node in nodes {
            do {
                let input = try summedShape(node.sources, inputShape: inputShape, shapes: shapes)
                shapes.append(try node.layer.outputShape(for: input))
            } catch {
                var error = error
                error.layer = error.layer.isEmpty ? node.name : "\(node.name) (\(error.layer))"
                throw error
            }
        }
        return shapes
    }

    func summedShape(_ sources: [Source], inputShape: [Int], shapes: [[Int]]) throws(NetworkShapeError) -> [Int] {
        let all = sources.map { source in
            switch source {
            case .input: inputShape
            case .node(let index): shapes[index]
            }
        }
        guard all.allSatisfy({ $0 == all[0] }) else {
            throw NetworkShapeError(
                layer: "", inputShape: inputShape, reason: "a sum needs inputs of one shape, got \(all)")
        }
        return all[0]
    }

    /// The shape of the summed outputs; an error names the node that cannot take its input.
    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] {
        try summedShape(outputs, inputShape: inputShape, shapes: nodeShapes(for: inputShape))
    }

    /// The nodes' multiply-accumulates, each for the shape that reaches it.
    public func multiplyAccumulates(for inputShape: [Int]) -> Int {
        guard let shapes = try? nodeShapes(for: inputShape) else { return 0 }
        return nodes.indices.reduce(0) { total, index in
            let input = (try? summedShape(nodes[index].sources, inputShape: inputShape, shapes: shapes)) ?? inputShape
            return total + nodes[index].layer.multiplyAccumulates(for: input)
        }
    }

    /// All steps: the nodes in order, each on the sum of its sources [T, N, ...].
    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        let path = context.path
        let generators = nodes.map { _ in context.generator.split() }
        var results: [TimeSeries] = []
        func value(_ source: Source) -> TimeSeries {
            switch source {
            case .input: input
            case .node(let index): results[index]
            }
        }
        func sum(_ sources: [Source]) -> TimeSeries {
            let parts = sources.map(value)
            guard parts.count > 1 else { return parts[0] }
            if parts.allSatisfy(\.isConstant) {
                return TimeSeries(
                    constant: parts.dropFirst().reduce(parts[0].value) { $0 + $1.value }, timeSteps: input.timeSteps)
            }
            return TimeSeries(steps: parts.dropFirst().reduce(parts[0].expanded()) { $0 + $1.expanded() })
        }
        for (index, node) in nodes.enumerated() {
            context.path = path.isEmpty ? node.name : "\(path).\(node.name)"
            context.generator = generators[index]
            results.append(node.layer.forward(sum(node.sources), context: &context))
        }
        context.path = path
        return sum(outputs)
    }

    /// One step: the nodes in order on [N, ...], each with its own state.
    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        if state.step == 0 {
            state.children = nodes.map { _ in LayerState() }
            state.generators = nodes.map { _ in context.generator.split() }
        }
        let path = context.path
        var results: [Variable] = []
        func sum(_ sources: [Source]) -> Variable {
            let parts = sources.map { source in
                switch source {
                case .input: input
                case .node(let index): results[index]
                }
            }
            return parts.dropFirst().reduce(parts[0], +)
        }
        for (index, node) in nodes.enumerated() {
            context.path = path.isEmpty ? node.name : "\(path).\(node.name)"
            context.generator = state.generators[index]
            results.append(node.layer.step(sum(node.sources), state: &state.children[index], context: &context))
            state.generators[index] = context.generator
            state.children[index].step += 1
        }
        context.path = path
        return sum(outputs)
    }
}
