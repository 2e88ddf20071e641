import STBPNetwork

/// What a network needs in memory to train or evaluate a batch, estimated from its shapes before
/// the first step, so that a run too large for the machine stops with the figure instead of
/// failing to allocate halfway.
///
///     training   = parameters × 4 (weights, gradients, two optimizer moments)
///                + T · N · Σ layer outputs × 2 (kept for backward, and their gradients)
///     evaluation = parameters + T · N · Σ layer outputs
///
/// in Float32 bytes. The layer outputs are those of the network's top-level layers; kernels'
/// scratch space (im2col, Winograd) comes on top, so the estimate is a lower bound.
public struct MemoryEstimate: Sendable, CustomStringConvertible {
    /// The estimated bytes.
    public let bytes: Int

    /// The estimate for `network` with `timeSteps` steps of batches of `batchSize`.
    public init(_ network: Network, timeSteps: Int, batchSize: Int, training: Bool) {
        self.init(
            parameters: Checked.sum(network.namedParameters.map(\.parameter.value.count)) ?? .max,
            outputShapes: network.outputShapes, timeSteps: timeSteps, batchSize: batchSize, training: training)
    }

    /// The estimate for a planned spec network, before it is built.
    public init(_ plan: NetworkPlan, timeSteps: Int, batchSize: Int, training: Bool) {
        self.init(
            parameters: plan.parameterCount, outputShapes: plan.rows.map(\.outputShape), timeSteps: timeSteps,
            batchSize: batchSize, training: training)
    }

    init(parameters: Int, outputShapes: [[Int]], timeSteps: Int, batchSize: Int, training: Bool) {
        let outputs = Checked.sum(outputShapes.map { Checked.product($0) ?? .max })
        let activations = outputs.flatMap { Checked.product([$0, timeSteps, batchSize, training ? 2 : 1]) }
        bytes =
            activations.flatMap { a in
                Checked.product([parameters, training ? 4 : 1]).flatMap { Checked.sum([a, $0]) }
            }.flatMap {
                Checked.product([$0, 4])
            } ?? .max
    }

    /// The estimate as text, e.g. "2.5 GB".
    public var description: String { MemorySize.text(bytes) }

    /// Throws `TrainingError.mismatch` with the figures when the estimate exceeds `limit` bytes.
    public func check(limit: Int, what: String) throws {
        guard bytes > limit else { return }
        throw TrainingError.mismatch(
            "\(what) needs at least \(self) of memory, more than the limit of \(MemorySize.text(limit)) (the machine's "
                + "memory, or --memory-limit); use a smaller batch, fewer time steps or a smaller network.")
    }
}
