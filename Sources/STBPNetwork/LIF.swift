import STBPAutodiff
import STBPTensor

/// Leaky integrate-and-fire neurons in the explicitly iterative form of STBP.
///
///     u[t] = decay · u[t-1] · (1 - o[t-1]) + I[t]        u[0] = o[0] = 0
///     o[t] = 1[u[t] > threshold]
///
/// Backward replaces dH/du by the surrogate h and runs the STBP recurrence in one reverse pass,
/// with δ[T+1] = 0 and g[t] = dL/do[t]:
///
///     δ[t] = (g[t] - decay · u[t] · δ[t+1]) · h(u[t]) + decay · (1 - o[t]) · δ[t+1],   dL/dI[t] = δ[t]
///
/// With `detachReset` the reset factor (1 - o[t-1]) is a constant, which drops the
/// -decay · u[t] · δ[t+1] term.
///
/// As a layer (`Conv2D`, then `LIF`, then `AvgPool2D`) all T steps run in one fused op
/// (`LIFKernel`), and an `AvgPool2D` right after it in a `Sequential` pools the spikes inside
/// that pass. `update` is the same neuron built from tape primitives, the reference the tests
/// hold the fused pass against and what the paper's loop order runs.
public struct LIF: Neuron, Sendable {
    /// The membrane decay k1 (the reference code's `decay`).
    public var decay: Float
    /// The firing threshold Vth (`thresh`).
    public var threshold: Float
    /// The spike and its pseudo-derivative used in backward.
    public var surrogate: any Surrogate
    /// Whether the reset path is cut from the gradient.
    public var detachReset: Bool

    /// Neurons with the reference values: decay 0.2, threshold 0.5, rectangular surrogate of width 1.
    public init(
        decay: Float = 0.2, threshold: Float = 0.5, surrogate: some Surrogate = .default, detachReset: Bool = false
    ) {
        self.init(decay: decay, threshold: threshold, anySurrogate: surrogate, detachReset: detachReset)
    }

    /// Neurons with a surrogate chosen at run time (e.g. by name from `SurrogateCatalog`).
    public init(decay: Float, threshold: Float, anySurrogate surrogate: any Surrogate, detachReset: Bool = false) {
        self.decay = decay
        self.threshold = threshold
        self.surrogate = surrogate
        self.detachReset = detachReset
    }

    /// The state one LIF layer carries from step to step in the paper's loop order.
    public struct State {
        /// u[t-1].
        public var membrane: Variable
        /// o[t-1].
        public var spikes: Variable
    }

    /// One step composed from tape primitives: u = decay · u[t-1] · (1 - o[t-1]) + I, o = spike(u).
    public func update(_ current: Variable, state: State?, context: ForwardContext) -> (spikes: Variable, state: State)
    {
        var membrane = current
        if let previous = state {
            let reset = detachReset ? 1 - Variable(previous.spikes.value) : 1 - previous.spikes
            membrane = previous.membrane * reset * decay + current
        }
        let spikes = Variable.spike(membrane, threshold: threshold, surrogate: surrogate)
        return (spikes, State(membrane: membrane, spikes: spikes))
    }

    /// u[t] before the reset, for membrane plots.
    public func membrane(of state: State) -> Variable? { state.membrane }

    /// The fixed threshold [1].
    public func threshold(of state: State) -> Tensor? { Tensor([threshold]) }

    /// All steps as one fused op (step by step when the surrogate's spike is not binary, or
    /// when the context keeps membrane potentials, which the fused op does not write).
    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        guard surrogate.firesBinarySpikes, !context.keepsMembranes else {
            return forwardStepByStep(input, context: &context)
        }
        return fire(input, pool: nil, context: context)
    }

    /// Runs all steps as one recorded op on the current [T, N, ...] (or a constant [N, ...]),
    /// reporting the firing rate (and the unpooled spikes when kept) to `context`.
    ///
    /// With `pool`, the current is conv maps [T, N, C, H, W] (or [N, C, H, W]) and the output is
    /// the pooled spikes [T, N, C, Ho, Wo], pooled inside the LIF pass (the same numbers as the
    /// pooling layer after it); the full-size spikes are only written when they are kept. When
    /// the context keeps membrane potentials, the neurons run step by step and then the pooling.
    func fire(_ input: TimeSeries, pool: AvgPool2D?, context: ForwardContext) -> TimeSeries {
        if context.keepsMembranes, let pool {
            var context = context
            let spikes = forwardStepByStep(input, context: &context)
            return pool.forward(spikes, context: &context)
        }
        let current = input.value, timeSteps = input.timeSteps, constant = input.isConstant
        precondition(timeSteps >= 1, "LIF needs at least one time step, got \(timeSteps).")
        let inputShape = current.shape
        let size = constant ? current.value.count : current.value.count / timeSteps
        let spikeShape = constant ? [timeSteps] + inputShape : inputShape
        var pooling: LIFKernel.Pooling?
        var outShape = spikeShape
        if let pool {
            precondition(spikeShape.count == 5, "Pooling inside LIF needs maps [T, N, C, H, W], got \(spikeShape).")
            let p = LIFKernel.Pooling(
                height: spikeShape[3], width: spikeShape[4], kernel: pool.kernelSize, stride: pool.stride)
            precondition(
                p.outHeight >= 1 && p.outWidth >= 1,
                "Pooling \(pool.kernelSize)x\(pool.kernelSize) does not fit \(spikeShape).")
            outShape[3] = p.outHeight
            outShape[4] = p.outWidth
            pooling = p
        }
        let keepsSpikes = pooling == nil || context.keepsSpikes
        var spikes: Tensor? = keepsSpikes ? Tensor(shape: spikeShape) { _ in } : nil
        var pooled: Tensor? = pooling != nil ? Tensor(shape: outShape) { _ in } : nil
        let count = current.value.withUnsafeBufferPointer { input in
            spikes.withUnsafeMutableBaseAddress { o in
                pooled.withUnsafeMutableBaseAddress { p in
                    LIFKernel.forward(
                        current: input.baseAddress!, constant: constant, timeSteps: timeSteps, size: size, decay: decay,
                        threshold: threshold, pooling: pooling, spikes: o, pooled: p)
                }
            }
        }
        let neuron = self
        let currentValue = current.value
        let output = Variable.record(pooled ?? spikes!, inputs: [current]) { gradient in
            let gradCurrent = Tensor(shape: inputShape) { d in
                currentValue.withUnsafeBufferPointer { input in
                    gradient.withUnsafeBufferPointer { g in
                        LIFKernel.backward(
                            neuron, current: input.baseAddress!, constant: constant, timeSteps: timeSteps, size: size,
                            pooling: pooling, gradient: g.baseAddress!, gradCurrent: d.baseAddress!)
                    }
                }
            }
            return [gradCurrent]
        }
        context.reportSpikes(count: Double(count), total: timeSteps * size, spikes: spikes)
        return TimeSeries(steps: output)
    }
}

extension LIF: Hashable {
    /// Whether two neuron layers are the same: the same decay, threshold, reset and surrogate
    /// (the same curve name and width, `Surrogate.isSame(as:)`).
    public static func == (a: LIF, b: LIF) -> Bool {
        a.decay == b.decay && a.threshold == b.threshold && a.detachReset == b.detachReset
            && a.surrogate.isSame(as: b.surrogate)
    }

    /// Hashes what `==` compares: decay, threshold, reset, and the surrogate's name and width.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(decay)
        hasher.combine(threshold)
        hasher.combine(detachReset)
        hasher.combine(surrogate.name)
        hasher.combine(surrogate.width)
    }
}

extension LIF: Codable {
    enum CodingKeys: String, CodingKey { case decay, threshold, surrogate, detachReset }

    /// The surrogate as `{"<name>": {"width": a}}`, the form configurations have always had.
    struct SurrogateRecord: Codable {
        let name: String, width: Float
        struct Width: Codable { let width: Float }
        struct Key: CodingKey {
            let stringValue: String
            init(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }

        init(name: String, width: Float) {
            self.name = name
            self.width = width
        }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            guard let key = container.allKeys.first, container.allKeys.count == 1 else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath, debugDescription: "expected {\"<surrogate>\": {\"width\": a}}"))
            }
            name = key.stringValue
            width = try container.decode(Width.self, forKey: key).width
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(Width(width: width), forKey: Key(stringValue: name))
        }
    }

    /// Decodes `{"decay": k, "threshold": V, "surrogate": {"<name>": {"width": a}}, "detachReset": b}`;
    /// throws `DecodingError.dataCorrupted` for a surrogate that is not built in
    /// (`SurrogateCatalog`), since a surrogate of your own cannot be rebuilt from its name.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let record = try container.decode(SurrogateRecord.self, forKey: .surrogate)
        guard let surrogate = SurrogateCatalog.surrogate(named: record.name, width: record.width) else {
            throw DecodingError.dataCorruptedError(
                forKey: .surrogate, in: container,
                debugDescription:
                    "surrogate \"\(record.name)\" is not built in (\(SurrogateCatalog.names.joined(separator: ", ")))")
        }
        self.init(
            decay: try container.decode(Float.self, forKey: .decay),
            threshold: try container.decode(Float.self, forKey: .threshold), anySurrogate: surrogate,
            detachReset: try container.decode(Bool.self, forKey: .detachReset))
    }

    /// Encodes decay, threshold, reset and the surrogate as `{"<name>": {"width": a}}`.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(decay, forKey: .decay)
        try container.encode(threshold, forKey: .threshold)
        try container.encode(SurrogateRecord(name: surrogate.name, width: surrogate.width), forKey: .surrogate)
        try container.encode(detachReset, forKey: .detachReset)
    }
}

extension Optional where Wrapped == Tensor {
    /// Calls `body` with the wrapped tensor's writable scalars, or with nil.
    mutating func withUnsafeMutableBaseAddress<R>(_ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
        guard var tensor = self else { return body(nil) }
        self = nil  // keeps the storage uniquely referenced, so writing does not copy it
        defer { self = tensor }
        return tensor.withUnsafeMutableBufferPointer { body($0.baseAddress) }
    }
}
