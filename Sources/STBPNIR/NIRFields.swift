import STBPNetwork

/// Reads one node's group of an HDF5 NIR file into a `NIRNode`, checking every field: present,
/// of the right kind and shape, finite; errors name the node's path, type and field.
struct NIRFields {
    let group: HDF5Item
    /// The node's path of names ("" for the top graph, "block.lif" inside a subgraph).
    let path: String
    var type = ""

    init(_ group: HDF5Item, path: String) {
        self.group = group
        self.path = path
    }

    func failure(_ field: String?, _ reason: String) -> NIRError {
        NIRError(node: path, type: type.isEmpty ? nil : type, field: field, reason)
    }

    func dataset(_ field: String) throws(NIRError) -> HDF5Dataset {
        guard case .group = group else { throw failure(nil, "expected a group, found a dataset") }
        guard let item = group[field] else { throw failure(field, "missing") }
        guard case .dataset(let dataset) = item else { throw failure(field, "expected a dataset, found a group") }
        return dataset
    }

    func has(_ field: String) -> Bool { group[field] != nil }

    func string(_ field: String) throws(NIRError) -> String {
        let dataset = try dataset(field)
        guard case .strings(let values) = dataset.values, values.count == 1 else {
            throw failure(field, "expected one string")
        }
        return values[0]
    }

    /// A numeric array of any shape, all values finite.
    func array(_ field: String) throws(NIRError) -> NIRArray {
        let dataset = try dataset(field)
        let values: [Double]
        switch dataset.values {
        case .reals(let reals): values = reals
        case .floats(let floats): values = floats.map(Double.init)
        case .integers(let integers): values = integers.map(Double.init)
        case .strings: throw failure(field, "expected numbers, found strings")
        }
        guard values.allSatisfy(\.isFinite) else { throw failure(field, "expected finite numbers") }
        return NIRArray(shape: dataset.shape, values: values)
    }

    /// Whole numbers: a scalar or a 1-D array, each in `range`.
    func integers(_ field: String, in range: ClosedRange<Int>) throws(NIRError) -> [Int] {
        let array = try array(field)
        guard array.shape.count <= 1 else {
            throw failure(field, "expected a number or a list, got shape \(array.shape)")
        }
        return try array.values.map { value throws(NIRError) in
            guard value.rounded() == value, value >= Double(range.lowerBound), value <= Double(range.upperBound) else {
                throw failure(
                    field, "expected whole numbers in \(range.lowerBound)...\(range.upperBound), got \(value)")
            }
            return Int(value)
        }
    }

    /// One or two whole numbers for (height, width): one is used for both.
    func pair(_ field: String, in range: ClosedRange<Int>) throws(NIRError) -> [Int] {
        let values = try integers(field, in: range)
        switch values.count {
        case 1: return [values[0], values[0]]
        case 2: return values
        default: throw failure(field, "expected one or two numbers (height, width), got \(values.count)")
        }
    }

    func integer(_ field: String, in range: ClosedRange<Int>) throws(NIRError) -> Int {
        let values = try integers(field, in: range)
        guard values.count == 1 else { throw failure(field, "expected one number, got \(values.count)") }
        return values[0]
    }

    /// A shape: positive sizes, at most 8 axes, at most 2^31 elements.
    func shape(_ field: String) throws(NIRError) -> [Int] {
        let shape = try integers(field, in: 1...Int(Int32.max))
        guard shape.count <= 8, Checked.product(shape).map({ $0 <= Int(Int32.max) }) ?? false else {
            throw failure(field, "expected a shape of at most 8 axes and 2^31 elements, got \(shape)")
        }
        return shape
    }

    /// The node, of any type swift-stbp reads.
    mutating func node() throws(NIRError) -> NIRNode {
        type = try string("type")
        let metadata = try readMetadata()
        // A graph's metadata belongs to the graph.
        let kind = try kind()
        if case .graph(var graph) = kind {
            graph.metadata = metadata
            return NIRNode(.graph(graph))
        }
        return NIRNode(kind, metadata: metadata)
    }

    private func readMetadata() throws(NIRError) -> [String: NIRValue] {
        guard let item = group["metadata"] else { return [:] }
        guard case .group(let members) = item else { throw failure("metadata", "expected a group") }
        var metadata: [String: NIRValue] = [:]
        for (name, member) in members {
            guard case .dataset(let dataset) = member, dataset.shape.isEmpty else { continue }
            switch dataset.values {
            case .reals(let values): metadata[name] = .number(values[0])
            case .floats(let values): metadata[name] = .number(Double(values[0]))
            case .integers(let values): metadata[name] = .number(Double(values[0]))
            case .strings(let values): metadata[name] = .text(values[0])
            }
        }
        return metadata
    }

    private func kind() throws(NIRError) -> NIRNode.Kind {
        switch type {
        case "Input", "Output":
            let shape = try shape("shape")
            return type == "Input" ? .input(shape: shape) : .output(shape: shape)
        case "Affine", "Linear":
            let weight = try array("weight")
            guard weight.shape.count == 2 else { throw failure("weight", "expected [out, in], got \(weight.shape)") }
            guard type == "Affine" else { return .linear(weight: weight) }
            let bias = try array("bias")
            guard bias.shape == [weight.shape[0]] else {
                throw failure(
                    "bias", "expected [\(weight.shape[0])] for a weight of \(weight.shape), got \(bias.shape)")
            }
            return .affine(weight: weight, bias: bias)
        case "Conv2d": return .conv2d(try convolution())
        case "AvgPool2d", "SumPool2d":
            let pooling = NIRPooling(
                kernelSize: try pair("kernel_size", in: 1...65536), stride: try pair("stride", in: 1...65536),
                padding: has("padding") ? try pair("padding", in: 0...65536) : [0, 0])
            return type == "AvgPool2d" ? .averagePool2d(pooling) : .sumPool2d(pooling)
        case "Flatten":
            return .flatten(
                startDimension: try integer("start_dim", in: -9...8), endDimension: try integer("end_dim", in: -9...8),
                inputShape: has("input_type") ? try shape("input_type") : nil)
        case "LIF":
            let (tau, r) = (try array("tau"), try array("r"))
            let (leak, threshold) = (try array("v_leak"), try array("v_threshold"))
            let reset = has("v_reset") ? try array("v_reset") : NIRArray(shape: threshold.shape, repeating: 0)
            try sameShape(["tau": tau, "r": r, "v_leak": leak, "v_threshold": threshold, "v_reset": reset])
            guard tau.values.allSatisfy({ $0 > 0 }) else { throw failure("tau", "expected time constants above 0") }
            return .leakyIntegrateAndFire(tau: tau, r: r, vLeak: leak, vThreshold: threshold, vReset: reset)
        case "IF":
            let (r, threshold) = (try array("r"), try array("v_threshold"))
            let reset = has("v_reset") ? try array("v_reset") : NIRArray(shape: threshold.shape, repeating: 0)
            try sameShape(["r": r, "v_threshold": threshold, "v_reset": reset])
            return .integrateAndFire(r: r, vThreshold: threshold, vReset: reset)
        case "Scale": return .scale(try array("scale"))
        case "Threshold": return .threshold(try array("threshold"))
        case "NIRGraph": return .graph(try graph())
        default:
            throw failure(
                nil,
                "swift-stbp does not read this node type (it reads Input, Output, Affine, Linear, Conv2d, AvgPool2d, "
                    + "SumPool2d, Flatten, LIF, IF, Scale, Threshold and NIRGraph)")
        }
    }

    private func sameShape(_ fields: KeyValuePairs<String, NIRArray>) throws(NIRError) {
        let first = fields.first!.value.shape
        for (name, array) in fields where array.shape != first {
            throw failure(name, "expected the shape \(first) of \(fields.first!.key), got \(array.shape)")
        }
    }

    private func convolution() throws(NIRError) -> NIRConvolution {
        let weight = try array("weight")
        guard weight.shape.count == 4 else {
            throw failure("weight", "expected [Cout, Cin, kh, kw], got \(weight.shape)")
        }
        let bias = has("bias") ? try array("bias") : NIRArray(shape: [weight.shape[0]], repeating: 0)
        guard bias.shape == [weight.shape[0]] else {
            throw failure("bias", "expected [\(weight.shape[0])] for a weight of \(weight.shape), got \(bias.shape)")
        }
        let padding: NIRConvolution.Padding
        if case .strings = try dataset("padding").values {
            switch try string("padding") {
            case "same": padding = .same
            case "valid": padding = .valid
            case let other: throw failure("padding", "expected numbers, \"same\" or \"valid\", got \"\(other)\"")
            }
        } else {
            padding = .values(try pair("padding", in: 0...65536))
        }
        return NIRConvolution(
            weight: weight, bias: bias, stride: try pair("stride", in: 1...65536), padding: padding,
            dilation: has("dilation") ? try pair("dilation", in: 1...65536) : [1, 1],
            groups: has("groups") ? try integer("groups", in: 1...65536) : 1,
            inputShape: has("input_shape") ? try shape("input_shape") : nil)
    }

    private func graph() throws(NIRError) -> NIRGraph {
        guard case .group(let members)? = group["nodes"] else { throw failure("nodes", "missing, or not a group") }
        var nodes: [(name: String, node: NIRNode)] = []
        for (name, member) in members {
            guard !name.isEmpty else { throw failure("nodes", "a node has an empty name") }
            var fields = NIRFields(member, path: path.isEmpty ? name : "\(path).\(name)")
            nodes.append((name, try fields.node()))
        }
        let edges = try dataset("edges")
        let names: [String]
        switch edges.values {
        case .strings(let strings): names = strings
        case .reals(let values) where values.isEmpty: names = []
        case .integers(let values) where values.isEmpty: names = []
        default: throw failure("edges", "expected an [E, 2] array of node names")
        }
        guard (edges.shape.count == 2 && edges.shape[1] == 2) || names.isEmpty else {
            throw failure("edges", "expected an [E, 2] array of node names, got shape \(edges.shape)")
        }
        let pairs = stride(from: 0, to: names.count, by: 2).map { (source: names[$0], target: names[$0 + 1]) }
        return NIRGraph(nodes: nodes, edges: pairs)
    }
}
