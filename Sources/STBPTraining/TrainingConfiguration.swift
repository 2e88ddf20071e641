import STBPNetwork

/// Which optimizer, and its hyper-parameters.
public struct OptimizerConfiguration: Sendable, Hashable, Codable {
    /// The update rule.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// `SGD`.
        case sgd
        /// `Adam`.
        case adam
        /// `Adam` with decoupled weight decay.
        case adamw
    }

    /// The update rule.
    public var kind: Kind
    /// The base learning rate (a schedule scales it).
    public var learningRate: Float
    /// SGD momentum.
    public var momentum: Float
    /// SGD Nesterov momentum.
    public var nesterov: Bool
    /// L2 penalty (SGD, Adam) or decoupled decay (AdamW).
    public var weightDecay: Float
    /// Adam's β1.
    public var beta1: Float
    /// Adam's β2.
    public var beta2: Float
    /// Adam's ε.
    public var epsilon: Float
    /// The factor on the learning rate of dense and voting layers (0.1 in the authors' CIFAR-10 code).
    public var denseLearningRateScale: Float

    /// Adam with learning rate 1e-3 (the authors' MNIST recipe) unless told otherwise.
    public init(
        kind: Kind = .adam, learningRate: Float = 1e-3, momentum: Float = 0.9, nesterov: Bool = false,
        weightDecay: Float = 0, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        denseLearningRateScale: Float = 1
    ) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.denseLearningRateScale = denseLearningRateScale
    }

    /// A fresh optimizer for `network`.
    public func makeOptimizer(for network: Network) -> Optimizer {
        let optimizer: Optimizer
        switch kind {
        case .sgd:
            optimizer = SGD(
                learningRate: learningRate, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
        case .adam, .adamw:
            optimizer = Adam(
                learningRate: learningRate, betas: (beta1, beta2), epsilon: epsilon, weightDecay: weightDecay,
                decoupled: kind == .adamw)
        }
        if denseLearningRateScale != 1 {
            for (path, layer) in network.allLayers where layer is Dense {
                for (name, _) in layer.parameters {
                    optimizer.learningRateMultipliers["layers.\(path).\(name)"] = denseLearningRateScale
                }
            }
        }
        return optimizer
    }
}

/// Everything that defines a training run; saved in the run folder and in every checkpoint.
public struct TrainingConfiguration: Sendable, Hashable, Codable {
    /// The network in the paper's notation, or nil for a network composed in Swift (the
    /// `Trainer` is then given the network).
    public var spec: String?
    /// One input sample per step, e.g. [C, H, W].
    public var inputShape: [Int]
    /// How a spec network is built (neurons, classes, votes, NeuNorm decay, dropout masks).
    public var network: NetworkOptions
    /// T for static inputs (event data brings its own T).
    public var timeSteps: Int
    /// How static inputs are fed.
    public var encoding: Encoding
    /// The loss on the readout (stored by name; a loss of your own is given to the `Trainer` again).
    public var loss: Loss
    /// Passes over the training data.
    public var epochs: Int
    /// Samples per optimizer step.
    public var batchSize: Int
    /// The optimizer.
    public var optimizer: OptimizerConfiguration
    /// The learning-rate schedule.
    public var schedule: LearningRateSchedule
    /// The seed of initialisation, shuffling, augmentation and dropout.
    public var seed: UInt64
    /// Training samples held out at random (`LabelledDataset.holdingOut`, from `seed`) to pick the
    /// best epoch on, so that the test set stays unseen; nil: none, the best epoch is the test
    /// set's.
    public var validationSamples: Int?

    /// The authors' MNIST recipe by default: T 8, direct encoding, MSE, Adam 1e-3, batch 100.
    public init(
        spec: String?, inputShape: [Int], network: NetworkOptions = NetworkOptions(), timeSteps: Int = 8,
        encoding: Encoding = .direct, loss: Loss = .meanSquaredError, epochs: Int = 1, batchSize: Int = 100,
        optimizer: OptimizerConfiguration = OptimizerConfiguration(),
        schedule: LearningRateSchedule = LearningRateSchedule(),
        seed: UInt64 = 0, validationSamples: Int? = nil
    ) {
        self.spec = spec
        self.inputShape = inputShape
        self.network = network
        self.timeSteps = timeSteps
        self.encoding = encoding
        self.loss = loss
        self.epochs = epochs
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.schedule = schedule
        self.seed = seed
        self.validationSamples = validationSamples
    }
}
