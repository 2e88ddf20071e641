import STBPAutodiff
import STBPTensor

/// Branches that all take the same input and whose outputs are merged: summed (a residual
/// block, as in SEW-ResNet) or concatenated along the first axis of a sample (channels or
/// features, as in a DenseNet or Inception block).
///
///     Parallel(merge: .sum) {
///         Sequential { Conv2D(64, 64, kernelSize: 3, padding: 1); LIF() }
///         Identity()
///     }
///
/// Branches are named by position ("0", "1"), or by the names given to `init(merge:named:)`.
public struct Parallel: Layer {
    /// How the branches' outputs become one.
    public enum Merge: Sendable, Hashable {
        /// Elementwise sum; every branch gives the same shape.
        case sum
        /// Concatenation along the first axis of a sample; the other axes agree.
        case concatenate
    }

    /// The branches, with their names.
    public let sublayers: [(name: String, layer: any Layer)]
    /// How the outputs are merged.
    public let merge: Merge

    /// The branches the builder lists, named by position; each statement is one branch.
    public init(merge: Merge = .sum, @LayerBuilder _ branches: () -> [any Layer]) {
        self.init(merge: merge, named: branches().enumerated().map { ("\($0.offset)", $0.element) })
    }

    /// Branches with names of their own (non-empty, without ".").
    public init(merge: Merge = .sum, named branches: [(name: String, layer: any Layer)]) {
        precondition(!branches.isEmpty, "Parallel needs at least one branch.")
        precondition(
            branches.allSatisfy { !$0.name.contains(".") && !$0.name.isEmpty },
            "Branch names must be non-empty and must not contain \".\".")
        self.sublayers = branches
        self.merge = merge
    }

    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] {
        var shapes: [[Int]] = []
        for (name, layer) in sublayers {
            do {
                shapes.append(try layer.outputShape(for: inputShape))
            } catch {
                var error = error
                error.layer = error.layer.isEmpty ? name : "\(name) (\(error.layer))"
                throw error
            }
        }
        let first = shapes[0]
        switch merge {
        case .sum:
            guard shapes.allSatisfy({ $0 == first }) else {
                throw NetworkShapeError(
                    layer: "", inputShape: inputShape, reason: "a sum needs branches of one shape, got \(shapes)")
            }
            return first
        case .concatenate:
            guard !first.isEmpty, shapes.allSatisfy({ $0.count == first.count && $0.dropFirst() == first.dropFirst() })
            else {
                throw NetworkShapeError(
                    layer: "", inputShape: inputShape,
                    reason: "a concatenation needs branches that agree but for their first axis, got \(shapes)")
            }
            return [shapes.reduce(0) { $0 + $1[0] }] + first.dropFirst()
        }
    }

    public func multiplyAccumulates(for inputShape: [Int]) -> Int {
        sublayers.reduce(0) { $0 + $1.layer.multiplyAccumulates(for: inputShape) }
    }

    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        let path = context.path
        let generators = sublayers.map { _ in context.generator.split() }
        var outputs: [TimeSeries] = []
        for (index, (name, layer)) in sublayers.enumerated() {
            context.path = path.isEmpty ? name : "\(path).\(name)"
            context.generator = generators[index]
            outputs.append(layer.forward(input, context: &context))
        }
        context.path = path
        if outputs.allSatisfy(\.isConstant) {
            return TimeSeries(constant: merged(outputs.map(\.value), axis: 1), timeSteps: input.timeSteps)
        }
        return TimeSeries(steps: merged(outputs.map { $0.expanded() }, axis: 2))
    }

    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        if state.step == 0 {
            state.children = sublayers.map { _ in LayerState() }
            state.generators = sublayers.map { _ in context.generator.split() }
        }
        let path = context.path
        var outputs: [Variable] = []
        for (index, (name, layer)) in sublayers.enumerated() {
            context.path = path.isEmpty ? name : "\(path).\(name)"
            context.generator = state.generators[index]
            outputs.append(layer.step(input, state: &state.children[index], context: &context))
            state.generators[index] = context.generator
            state.children[index].step += 1
        }
        context.path = path
        return merged(outputs, axis: 1)
    }

    /// The outputs summed, or concatenated along `axis` (a sample's first axis).
    func merged(_ outputs: [Variable], axis: Int) -> Variable {
        switch merge {
        case .sum: outputs.dropFirst().reduce(outputs[0], +)
        case .concatenate: Variable.concatenated(outputs, alongAxis: axis)
        }
    }
}

/// A residual block: the main path plus a shortcut (the identity unless given), summed, as in
/// SEW-ResNet and the tdBN ResNets. Its parameters are named "main.<...>" and "shortcut.<...>".
///
///     Residual {
///         Conv2D(64, 64, kernelSize: 3, padding: 1); LIF()
///         Conv2D(64, 64, kernelSize: 3, padding: 1); LIF()
///     }
public struct Residual: Layer {
    /// The two branches, "main" and "shortcut", summed.
    let block: Parallel

    /// The main path the builder lists, plus `shortcut` (the identity by default).
    public init(@LayerBuilder _ main: () -> [any Layer], shortcut: () -> [any Layer] = { [Identity()] }) {
        block = Parallel(
            merge: .sum, named: [("main", Sequential(main())), ("shortcut", Sequential(shortcut()))])
    }

    public var sublayers: [(name: String, layer: any Layer)] { block.sublayers }

    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] {
        try block.outputShape(for: inputShape)
    }

    public func multiplyAccumulates(for inputShape: [Int]) -> Int { block.multiplyAccumulates(for: inputShape) }

    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        block.forward(input, context: &context)
    }

    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        block.step(input, state: &state, context: &context)
    }
}

/// Passes its input through unchanged (a shortcut, or a placeholder).
public struct Identity: Layer {
    /// The identity.
    public init() {}
    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] { inputShape }
    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries { input }
    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable { input }
}
