import STBPTensor

/// Records differentiable operations in execution order and replays them backwards.
///
/// Operations on `Variable`s that live on a tape append a record holding the operation's
/// pullback (a closure from the output's gradient to the inputs' gradients). Because records
/// are appended in execution order, the reversed list is already a topological order, so
/// `backward` is a single reversed loop. A tape serves one forward pass and one backward pass.
///
///     let tape = Tape()
///     let w = tape.watch(weight)                // a Parameter
///     let loss = (x * w).sum()
///     tape.backward(loss)                       // weight.gradient now holds d loss / d weight
public final class Tape {
    struct Record {
        let inputs: [Int]
        let inputShapes: [[Int]]
        let output: Int
        let pullback: (Tensor) -> [Tensor?]
    }

    private var records: [Record] = []
    private var slotCount = 0
    private var watched: [ObjectIdentifier: Variable] = [:]
    private var watchedParameters: [Parameter] = []
    private var finished = false

    /// Called during `backward` as soon as a watched parameter's gradient is final (no record
    /// still to run reads the parameter), with the parameter and its gradient, before the rest
    /// of the pass has run: what a data-parallel trainer needs to start summing gradients
    /// across processes while the backward pass goes on. Parameters that did not influence
    /// the output are reported (with zeros) when the pass ends. nil: no calls.
    public var onParameterGradient: ((Parameter, Tensor) -> Void)?

    /// An empty tape.
    public init() {}

    /// The number of operations recorded so far (the tests check that constants record none).
    package var recordCount: Int { records.count }

    private func newSlot() -> Int {
        precondition(!finished, "This tape has already run backward; record the next step on a new tape.")
        defer { slotCount += 1 }
        return slotCount
    }

    /// A differentiable leaf holding `value`, whose gradient `backward` returns.
    public func variable(_ value: Tensor) -> Variable {
        Variable(value: value, slot: newSlot(), tape: self)
    }

    /// The variable for `parameter` on this tape (the same one each call); `backward` assigns its
    /// gradient to `parameter.gradient`.
    public func watch(_ parameter: Parameter) -> Variable {
        let key = ObjectIdentifier(parameter)
        if let existing = watched[key] { return existing }
        let variable = Variable(value: parameter.value, slot: newSlot(), tape: self)
        watched[key] = variable
        watchedParameters.append(parameter)
        return variable
    }

    /// Appends an operation; called by `Variable.record`.
    func append(output: Tensor, inputs: [Variable], pullback: @escaping (Tensor) -> [Tensor?]) -> Variable {
        let slot = newSlot()
        records.append(
            Record(
                inputs: inputs.map { $0.tape === self ? $0.slot : -1 },
                inputShapes: inputs.map(\.shape), output: slot, pullback: pullback))
        return Variable(value: output, slot: slot, tape: self)
    }

    /// Runs the pullbacks in reverse order from `output` (seeded with `seed`, ones by default).
    ///
    /// Every watched parameter receives its gradient (zeros if it did not influence `output`);
    /// the returned `Gradients` also holds the gradient of every leaf made by `variable(_:)`.
    /// Gradients of a value used several times are summed. The tape's records are released.
    @discardableResult
    public func backward(_ output: Variable, seed: Tensor? = nil) -> Gradients {
        precondition(output.tape === self, "backward needs a variable recorded on this tape.")
        precondition(!finished, "backward can run once per tape.")
        finished = true
        if let seed {
            precondition(seed.shape == output.shape, "The seed \(seed.shape) must match the output \(output.shape).")
        }
        var gradients = [Tensor?](repeating: nil, count: slotCount)
        gradients[output.slot] = seed ?? Tensor(shape: output.shape, repeating: 1)
        // For the gradient-ready hook: how many records still to run read each watched slot.
        var pendingReads: [Int: Int] = [:]
        var parameterAtSlot: [Int: Parameter] = [:]
        if onParameterGradient != nil {
            for parameter in watchedParameters {
                parameterAtSlot[watched[ObjectIdentifier(parameter)]!.slot] = parameter
            }
            for record in records {
                for slot in record.inputs where parameterAtSlot[slot] != nil { pendingReads[slot, default: 0] += 1 }
            }
        }
        while let record = records.popLast() {
            defer {
                // The record ran (or had no gradient to pass on): its reads of parameters are done.
                for slot in record.inputs {
                    guard let reads = pendingReads[slot], reads > 0 else { continue }
                    pendingReads[slot] = reads - 1
                    if reads == 1, let parameter = parameterAtSlot[slot] {
                        onParameterGradient?(parameter, gradients[slot] ?? Tensor(zeros: parameter.value.shape))
                    }
                }
            }
            guard let gradient = gradients[record.output] else { continue }
            gradients[record.output] = nil
            let inputGradients = record.pullback(gradient)
            precondition(
                inputGradients.count == record.inputs.count,
                "A pullback returned \(inputGradients.count) gradients for \(record.inputs.count) inputs.")
            for (index, slot) in record.inputs.enumerated() where slot >= 0 {
                guard let inputGradient = inputGradients[index] else { continue }
                precondition(
                    inputGradient.shape == record.inputShapes[index],
                    "A pullback returned a gradient of shape \(inputGradient.shape) for an input of shape \(record.inputShapes[index])."
                )
                if gradients[slot] == nil {
                    gradients[slot] = inputGradient
                } else {
                    gradients[slot]! += inputGradient
                }
            }
        }
        for parameter in watchedParameters {
            let slot = watched[ObjectIdentifier(parameter)]!.slot
            let gradient = gradients[slot] ?? Tensor(zeros: parameter.value.shape)
            parameter.gradient = gradient
            // A parameter that no record read is final only now.
            if let onParameterGradient, pendingReads[slot] == nil { onParameterGradient(parameter, gradient) }
        }
        watched = [:]
        watchedParameters = []
        return Gradients(storage: gradients)
    }
}

/// The gradients that `Tape.backward` computed for the tape's leaves.
public struct Gradients {
    let storage: [Tensor?]

    /// The gradient of a leaf (from `Tape.variable` or `Tape.watch`), zeros if it did not
    /// influence the output.
    public subscript(_ leaf: Variable) -> Tensor {
        precondition(leaf.slot >= 0 && leaf.slot < storage.count, "This variable is not a leaf of the tape.")
        return storage[leaf.slot] ?? Tensor(zeros: leaf.shape)
    }
}
