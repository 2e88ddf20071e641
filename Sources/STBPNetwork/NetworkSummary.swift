/// A table of a network's layers: output shapes, parameter counts and multiply-accumulates.
public struct NetworkSummary: CustomStringConvertible, Sendable {
    /// One layer.
    public struct Row: Sendable {
        /// The layer's name in the network (a spec network's token index).
        public let name: String
        /// The spec token the layer comes from, or "" for a composed network.
        public let token: String
        /// The layer type.
        public let kind: String
        /// The per-sample output shape.
        public let outputShape: [Int]
        /// Trainable scalars.
        public let parameters: Int
        /// Multiply-accumulates per sample and time step (conv and dense).
        public let multiplyAccumulates: Int
    }

    /// The input shape of one sample.
    public let inputShape: [Int]
    /// The layers in order.
    public let rows: [Row]

    /// All trainable scalars.
    public var totalParameters: Int { rows.reduce(0) { $0 + $1.parameters } }
    /// Multiply-accumulates per sample and time step.
    public var totalMultiplyAccumulates: Int { rows.reduce(0) { $0 + $1.multiplyAccumulates } }

    /// The table: the input shape, one line per layer (name, token, type, output shape,
    /// parameters, multiply-accumulates per step) and the totals.
    public var description: String {
        // Paths of composed networks ("3.main.0", "0_conv2d") can be longer than token indices.
        let nameWidth = max(4, (rows.map(\.name.count).max() ?? 0) + 2)
        var lines = [
            "input \(shapeText(inputShape))",
            pad("#", nameWidth) + pad("token", 18) + pad("layer", 12) + pad("output", 16)
                + pad("parameters", 12, left: true)
                + pad("MACs/step", 14, left: true),
        ]
        for row in rows {
            lines.append(
                pad(row.name, nameWidth) + pad(row.token, 18) + pad(row.kind, 12) + pad(shapeText(row.outputShape), 16)
                    + pad(grouped(row.parameters), 12, left: true)
                    + pad(grouped(row.multiplyAccumulates), 14, left: true))
        }
        lines.append(
            pad("", nameWidth) + pad("total", 18) + pad("", 12) + pad("", 16)
                + pad(grouped(totalParameters), 12, left: true)
                + pad(grouped(totalMultiplyAccumulates), 14, left: true))
        return lines.joined(separator: "\n")
    }

    private func shapeText(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "x") }

    private func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let space = String(repeating: " ", count: max(1, width - text.count))
        return left ? space + text : text + space
    }

    private func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var result = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }
}

extension Network {
    /// The layers with their output shapes, parameter counts and multiply-accumulates per step
    /// (a container's row counts everything inside it).
    public var summary: NetworkSummary {
        var shape = inputShape
        var rows: [NetworkSummary.Row] = []
        for (index, (name, layer)) in layers.sublayers.enumerated() {
            rows.append(
                NetworkSummary.Row(
                    name: name, token: spec == nil ? "" : labels[name] ?? "", kind: String(describing: type(of: layer)),
                    outputShape: outputShapes[index],
                    parameters: layer.parameters.reduce(0) { $0 + $1.parameter.value.count },
                    multiplyAccumulates: layer.multiplyAccumulates(for: shape)))
            shape = outputShapes[index]
        }
        return NetworkSummary(inputShape: inputShape, rows: rows)
    }
}
