#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How the learning rate changes over training: a decay rule times an optional linear warm-up.
///
///     rate(epoch e, step s) = base · warmup(s) · decay(e)
///     step decay:  decay = factor^(number of milestones <= e)
///     cosine:      decay = m + (1 - m) · (1 + cos(π · e / E)) / 2    (e may be fractional)
///     warm-up:     warmup = min(1, (s + 1) / W) over the first W optimizer steps
public struct LearningRateSchedule: Sendable, Hashable, Codable {
    /// The decay rule.
    public enum Decay: Sendable, Hashable, Codable {
        /// No decay.
        case constant
        /// Multiply by `factor` at each epoch in `milestones` (e.g. 0.1 at 40 and 80).
        case step(milestones: [Int], factor: Float)
        /// Cosine annealing over `epochs` down to `minimumFactor` of the base rate.
        case cosine(epochs: Int, minimumFactor: Float)
    }

    /// The decay rule.
    public var decay: Decay
    /// Optimizer steps of linear warm-up (0 for none).
    public var warmupSteps: Int

    /// A schedule; constant with no warm-up by default.
    public init(decay: Decay = .constant, warmupSteps: Int = 0) {
        self.decay = decay
        self.warmupSteps = warmupSteps
    }

    /// The factor on the base rate at (fractional) epoch `epoch` and global optimizer step `step`.
    public func factor(epoch: Double, step: Int) -> Float {
        let warmup = warmupSteps > 0 ? min(1, Float(step + 1) / Float(warmupSteps)) : 1
        switch decay {
        case .constant:
            return warmup
        case .step(let milestones, let factor):
            let passed = milestones.filter { Double($0) <= epoch }.count
            return warmup * powf(factor, Float(passed))
        case .cosine(let epochs, let minimum):
            let progress = min(1, epoch / Double(max(epochs, 1)))
            return warmup * (minimum + (1 - minimum) * Float((1 + cos(Double.pi * progress)) / 2))
        }
    }
}
