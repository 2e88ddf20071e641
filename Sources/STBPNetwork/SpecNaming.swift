extension NetworkSpec {
    /// The spec that names a composition in the paper's notation, or nil when the notation
    /// cannot name it. Nameable: `Conv2D` (with a bias) or `Dense` (with a bias) each followed by
    /// `LIF`, the last `Dense` and `LIF` optionally followed by `Voting`, `AvgPool2D`, `NeuNorm`,
    /// `Dropout` and `Flatten` before a `Dense` (implicit in the notation); every `LIF` the same
    /// neuron (the notation leaves neurons to `NetworkOptions`).
    public init?(naming layers: Sequential) {
        let entries = layers.sublayers.map(\.layer)
        var tokens: [String] = []
        var neuron: LIF?
        var index = 0
        /// The LIF at `index`, if it is one and matches the others.
        func sameNeuron(at index: Int) -> Bool {
            guard index < entries.count, let lif = entries[index] as? LIF else { return false }
            if let neuron, neuron != lif { return false }
            neuron = lif
            return true
        }
        while index < entries.count {
            let layer = entries[index]
            if let conv = layer as? Conv2D, conv.bias != nil, sameNeuron(at: index + 1) {
                let k = conv.kernelSize
                tokens.append(
                    "\(conv.outputChannels)C\(k)" + (conv.stride != 1 ? "s\(conv.stride)" : "")
                        + (conv.padding != k / 2 ? "p\(conv.padding)" : ""))
                index += 2
            } else if let dense = layer as? Dense, dense.bias != nil, sameNeuron(at: index + 1) {
                if index + 2 < entries.count, let voting = entries[index + 2] as? Voting,
                    voting.classes * voting.votes == dense.outputSize
                {
                    tokens.append(voting.votes == 10 ? "Voting" : "Voting\(voting.votes)")
                    index += 3
                } else {
                    tokens.append("\(dense.outputSize)FC")
                    index += 2
                }
            } else if let pool = layer as? AvgPool2D {
                tokens.append("AP\(pool.kernelSize)" + (pool.stride != pool.kernelSize ? "s\(pool.stride)" : ""))
                index += 1
            } else if let norm = layer as? NeuNorm {
                tokens.append(norm.decay == 0.9 ? "NN" : "NN\(norm.decay)")
                index += 1
            } else if let dropout = layer as? Dropout {
                tokens.append("D\(dropout.probability)")
                index += 1
            } else if layer is Flatten, index + 1 < entries.count, entries[index + 1] is Dense {
                index += 1
            } else {
                return nil
            }
        }
        if let last = tokens.last, last.hasSuffix("FC") { tokens[tokens.count - 1] = String(last.dropLast(2)) }
        guard let spec = try? NetworkSpec(tokens.joined(separator: "-")) else { return nil }
        self = spec
    }
}
