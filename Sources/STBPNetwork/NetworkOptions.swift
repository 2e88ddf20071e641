import STBPTensor

/// How conv, dense and voting weights start.
public enum WeightInitialization: Sendable, Hashable, Codable {
    /// PyTorch's default: weights and biases uniform in ±1/sqrt(fan-in).
    case pytorchDefault
    /// (Semi-)orthogonal weight matrices (rows flattened over [in, kh, kw]) scaled by `gain`, from a
    /// QR factorisation by LAPACK; zero biases.
    case orthogonal(gain: Float)
}

/// The choices that shape a network built from a spec.
public struct NetworkOptions: Sendable, Hashable, Codable {
    /// The neurons of every conv, dense and voting layer (decay, threshold, surrogate, reset).
    public var neuron: LIF
    /// The number of classes a `Voting` layer votes for.
    public var classes: Int
    /// Neurons per class of a `Voting` layer written without a number.
    public var votes: Int
    /// The decay k of NeuNorm layers written without a number.
    public var neuNormDecay: Float
    /// Per-step or shared dropout masks.
    public var dropoutMasks: DropoutMasks
    /// How weights start.
    public var initialization: WeightInitialization

    /// The reference defaults: LIF(0.2, 0.5, rectangular 1), 10 classes, 10 votes, NeuNorm k 0.9,
    /// a new dropout mask at every step, PyTorch's default initialisation.
    public init(
        neuron: LIF = LIF(), classes: Int = 10, votes: Int = 10, neuNormDecay: Float = 0.9,
        dropoutMasks: DropoutMasks = .perStep, initialization: WeightInitialization = .pytorchDefault
    ) {
        self.neuron = neuron
        self.classes = classes
        self.votes = votes
        self.neuNormDecay = neuNormDecay
        self.dropoutMasks = dropoutMasks
        self.initialization = initialization
    }
}

/// How the input reaches the first layer.
public enum Encoding: String, Sendable, Hashable, Codable, CaseIterable {
    /// The real-valued input itself at every step (the paper's encoding layer).
    case direct
    /// At every step, 1 with probability clamp(x, 0, 1), else 0 (the authors' 2018 MNIST code).
    case bernoulli
}

/// The order in which a forward pass visits steps and layers; both give the same numbers.
public enum LoopOrder: String, Sendable, Hashable, Codable, CaseIterable {
    /// Each layer over all T steps at once, T folded into the batch (fast).
    case layer
    /// For each step t, for each layer: the paper's order, from per-step primitives (slow).
    case time
}

/// The settings of one forward pass.
public struct ForwardOptions: Sendable, Hashable {
    /// T, for static inputs (event inputs bring their own).
    public var timeSteps: Int
    /// Whether this pass trains (dropout active).
    public var isTraining: Bool
    /// How a static input is fed.
    public var encoding: Encoding
    /// Layer-major (fast) or the paper's time-major order.
    public var order: LoopOrder
    /// Whether to keep every spiking layer's spikes in the output.
    public var recordSpikes: Bool
    /// Whether to keep the membrane potentials (and thresholds) of every neuron layer that
    /// reports them (`Neuron.membrane(of:)`) in the output. In either loop order; LIF layers
    /// then leave their fused pass for the step-by-step one, so this is for plots, not training.
    public var recordMembranes: Bool
    /// When the input is a slice of a global batch split across processes, which one: dropout
    /// and Bernoulli coding then draw for the global batch and keep the slice's rows, so that
    /// the pass does not depend on the split (nil: the input is the whole batch).
    public var batchSlice: BatchSlice?

    /// Evaluation defaults: T 8, no dropout, direct encoding, layer order, no spike or membrane
    /// recording.
    public init(
        timeSteps: Int = 8, isTraining: Bool = false, encoding: Encoding = .direct, order: LoopOrder = .layer,
        recordSpikes: Bool = false, recordMembranes: Bool = false, batchSlice: BatchSlice? = nil
    ) {
        self.batchSlice = batchSlice
        self.timeSteps = timeSteps
        self.isTraining = isTraining
        self.encoding = encoding
        self.order = order
        self.recordSpikes = recordSpikes
        self.recordMembranes = recordMembranes
    }
}
