import Foundation

/// What a spec network would be, worked out without allocating it: each layer's output shape,
/// parameter count and multiply-accumulates, in overflow-checked arithmetic. `Network(spec)`
/// checks it before it allocates a weight, and `stbp summary` prints it.
public struct NetworkPlan: Sendable {
    /// The input shape of one sample per step.
    public let inputShape: [Int]
    /// The layers, as `Network(spec)` builds them: each named by its token's index.
    public let rows: [NetworkSummary.Row]

    /// Plans `spec` for inputs of `inputShape`; throws `NetworkShapeError` naming the token when a
    /// layer cannot take its input or a size does not fit in memory's address space.
    public init(
        _ spec: NetworkSpec, inputShape: [Int], options: NetworkOptions = NetworkOptions()
    )
        throws(NetworkShapeError)
    {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 >= 1 }), Checked.product(inputShape) != nil else {
            throw NetworkShapeError(
                layer: "input", inputShape: inputShape, reason: "an input needs positive extents whose product fits")
        }
        guard options.classes >= 1, options.votes >= 1, (0..<1).contains(options.neuNormDecay) else {
            throw NetworkShapeError(
                layer: "options", inputShape: inputShape,
                reason: "a network needs at least one class and one vote, and a NeuNorm decay in [0, 1); got "
                    + "\(options.classes) classes, \(options.votes) votes, decay \(options.neuNormDecay)")
        }
        var rows: [NetworkSummary.Row] = []
        var shape = inputShape
        for (index, token) in spec.tokens.enumerated() {
            let text = spec.tokenTexts[index]
            do {
                for (kind, output, parameters, work) in try Self.layers(token, shape, options) {
                    rows.append(
                        NetworkSummary.Row(
                            name: "\(index)", token: text, kind: kind, outputShape: output, parameters: parameters,
                            multiplyAccumulates: work))
                    shape = output
                }
            } catch {
                var error = error
                error.layer = "token \(index) \"\(text)\""
                throw error
            }
        }
        guard let total = Checked.sum(rows.map(\.parameters)), Checked.sum(rows.map(\.multiplyAccumulates)) != nil
        else {
            throw NetworkShapeError(layer: "network", inputShape: inputShape, reason: "its sizes overflow")
        }
        self.inputShape = inputShape
        self.rows = rows
        parameterCount = total
    }

    /// Every trainable scalar.
    public let parameterCount: Int

    /// The summary table of the planned network.
    public var summary: NetworkSummary { NetworkSummary(inputShape: inputShape, rows: rows) }

    /// The bytes of the parameters as Float32 scalars.
    public var parameterBytes: Int { Checked.product([parameterCount, 4]) ?? .max }

    /// Throws unless the parameters fit in `limit` bytes (by default the machine's memory).
    public func checkParameters(fitIn limit: Int = MemorySize.physical) throws(NetworkShapeError) {
        guard parameterBytes <= limit else {
            throw NetworkShapeError(
                layer: "network", inputShape: inputShape,
                reason: "its \(parameterCount) parameters need \(MemorySize.text(parameterBytes)), more than the "
                    + "\(MemorySize.text(limit)) of memory available")
        }
    }

    /// One token's layers: kind, output shape, parameters and multiply-accumulates each.
    static func layers(
        _ token: NetworkSpec.Token, _ input: [Int], _ options: NetworkOptions
    ) throws(NetworkShapeError)
        -> [(String, [Int], Int, Int)]
    {
        let lif = String(describing: type(of: options.neuron))
        func sizes(_ values: [Int?]) throws(NetworkShapeError) -> [Int] {
            guard values.allSatisfy({ $0 != nil }) else {
                throw NetworkShapeError(layer: "", inputShape: input, reason: "its sizes overflow")
            }
            return values.map { $0! }
        }
        switch token {
        case .conv(let outputs, let kernel, let stride, let padding, _):
            let output = try Conv2D.outputShape(
                for: input, outputChannels: outputs, kernelSize: kernel, stride: stride, padding: padding)
            let fanIn = Checked.product([input[0], kernel, kernel])
            let s = try sizes([
                fanIn.flatMap { Checked.product([$0, outputs]) }.flatMap { Checked.sum([$0, outputs]) },
                fanIn.flatMap { f in Checked.product(output).flatMap { Checked.product([$0, f]) } },
            ])
            return [("Conv2D", output, s[0], s[1]), (lif, output, 0, 0)]
        case .averagePool(let kernel, let stride):
            return [("AvgPool2D", try AvgPool2D(kernelSize: kernel, stride: stride).outputShape(for: input), 0, 0)]
        case .neuNorm:
            guard input.count == 3 else {
                throw NetworkShapeError(layer: "", inputShape: input, reason: "NeuNorm needs [F, H, W] maps")
            }
            let s = try sizes([Checked.product([2] + input)])
            return [("NeuNorm", input, s[0], 0)]
        case .dropout:
            return [("Dropout", input, 0, 0)]
        case .dense(let outputs):
            let s = try sizes(dense(input, outputs))
            return [("Dense", [outputs], s[0], s[1]), (lif, [outputs], 0, 0)]
        case .voting(let votes):
            let votes = votes ?? options.votes
            let neurons = try sizes([Checked.product([options.classes, votes])])[0]
            let s = try sizes(dense(input, neurons))
            return [
                ("Dense", [neurons], s[0], s[1]), (lif, [neurons], 0, 0), ("Voting", [options.classes], 0, 0),
            ]
        }
    }

    /// A dense layer's parameters (out · in + out) and multiply-accumulates (out · in).
    static func dense(_ input: [Int], _ outputs: Int) -> [Int?] {
        let work = Checked.product(input).flatMap { Checked.product([$0, outputs]) }
        return [work.flatMap { Checked.sum([$0, outputs]) }, work]
    }
}

/// Memory sizes: the machine's, and as text.
public enum MemorySize {
    /// The machine's physical memory in bytes.
    public static var physical: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

    /// "36.0 GB", "512 MB".
    public static func text(_ bytes: Int) -> String {
        bytes >= 1 << 30
            ? String(format: "%.1f GB", Double(bytes) / Double(1 << 30))
            : String(format: "%.0f MB", (Double(bytes) / Double(1 << 20)).rounded(.up))
    }
}

/// Sums and products that report overflow as nil.
package enum Checked {
    package static func product(_ values: [Int]) -> Int? {
        var result = 1
        for value in values {
            let (next, overflow) = result.multipliedReportingOverflow(by: value)
            if overflow { return nil }
            result = next
        }
        return result
    }

    package static func sum(_ values: [Int]) -> Int? {
        var result = 0
        for value in values {
            let (next, overflow) = result.addingReportingOverflow(value)
            if overflow { return nil }
            result = next
        }
        return result
    }
}
