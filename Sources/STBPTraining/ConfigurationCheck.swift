import STBPNetwork

extension TrainingConfiguration {
    /// Throws `InvalidArgument` for the first setting out of its range: counts from 1, rates and
    /// decays in their intervals, every number finite. `names` maps a setting's path (e.g.
    /// "batchSize", "optimizer.learningRate", "network.neuron.decay") to the name the user
    /// knows it by (a flag); unmapped settings are named "configuration.<path>".
    public func check(names: [String: String] = [:]) throws {
        func name(_ path: String) -> String { names[path] ?? "configuration.\(path)" }
        try ArgumentCheck.count(name("timeSteps"), timeSteps)
        try ArgumentCheck.count(name("epochs"), epochs)
        try ArgumentCheck.count(name("batchSize"), batchSize)
        try ArgumentCheck.count(name("validationSamples"), validationSamples)
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 >= 1 }), Checked.product(inputShape) != nil else {
            throw InvalidArgument(argument: name("inputShape"), expected: "positive extents", given: "\(inputShape)")
        }
        try network.check(name: { name("network.\($0)") })
        try optimizer.check(name: { name("optimizer.\($0)") })
        try schedule.check(name: { name("schedule.\($0)") })
    }
}

extension NetworkOptions {
    /// Throws `InvalidArgument` for a neuron, class, vote or NeuNorm setting out of range; `names`
    /// maps a setting's path ("neuron.decay") to its flag.
    public func check(names: [String: String]) throws {
        try check { names[$0] ?? "network.\($0)" }
    }

    /// Throws `InvalidArgument` for a neuron, class, vote or NeuNorm setting out of range.
    func check(name: (String) -> String) throws {
        try ArgumentCheck.number(name("neuron.decay"), neuron.decay, 0...1)
        try ArgumentCheck.number(name("neuron.threshold"), neuron.threshold, -1e6...1e6)
        try ArgumentCheck.positive(name("neuron.surrogate.width"), neuron.surrogate.width)
        try ArgumentCheck.count(name("classes"), classes)
        try ArgumentCheck.count(name("votes"), votes)
        try ArgumentCheck.number(name("neuNormDecay"), neuNormDecay, 0..<1)
        if case .orthogonal(let gain) = initialization { try ArgumentCheck.positive(name("initialization.gain"), gain) }
    }
}

extension OptimizerConfiguration {
    /// Throws `InvalidArgument` for a learning rate, momentum, β, ε or decay out of range.
    func check(name: (String) -> String) throws {
        try ArgumentCheck.positive(name("learningRate"), learningRate)
        try ArgumentCheck.number(name("momentum"), momentum, 0..<1)
        try ArgumentCheck.nonNegative(name("weightDecay"), weightDecay)
        try ArgumentCheck.number(name("beta1"), beta1, 0..<1)
        try ArgumentCheck.number(name("beta2"), beta2, 0..<1)
        try ArgumentCheck.positive(name("epsilon"), epsilon)
        try ArgumentCheck.nonNegative(name("denseLearningRateScale"), denseLearningRateScale)
        if nesterov && kind == .sgd && momentum == 0 {
            throw InvalidArgument(
                argument: name("nesterov"), expected: "used with a momentum above 0", given: "momentum 0")
        }
    }
}

extension LearningRateSchedule {
    /// Throws `InvalidArgument` for milestones, factors or warm-up out of range.
    func check(name: (String) -> String) throws {
        try ArgumentCheck.count(name("warmupSteps"), warmupSteps, 0...ArgumentCheck.maximumCount)
        switch decay {
        case .constant: break
        case .step(let milestones, let factor):
            for milestone in milestones { try ArgumentCheck.count(name("milestones"), milestone) }
            try ArgumentCheck.positive(name("factor"), factor)
        case .cosine(let epochs, let minimumFactor):
            try ArgumentCheck.count(name("epochs"), epochs)
            try ArgumentCheck.number(name("minimumFactor"), minimumFactor, 0...1)
        }
    }
}
