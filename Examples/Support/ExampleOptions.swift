import ArgumentParser
import Foundation
import STBP

/// The flags every example takes; each overrides the recipe's value when given.
public struct ExampleOptions: ParsableArguments {
    @Option(help: "The data folder (default: the recipe's).")
    public var data: String?

    @Option(help: "The network spec (default: the paper's).")
    public var model: String?

    @Option(help: "Passes over the training set.")
    public var epochs: Int?

    @Option(help: "Samples per optimizer step.")
    public var batchSize: Int?

    @Option(help: "Time steps T.")
    public var timeSteps: Int?

    @Option(help: "Base learning rate.")
    public var learningRate: Float?

    @Option(help: "Threads for OpenBLAS and the package's loops (default: all cores).")
    public var threads: Int?

    @Option(help: "Seed of initialisation, shuffling, augmentation and dropout.")
    public var seed: UInt64?

    @Option(help: "The run folder (default: runs/<example>).")
    public var output: String?

    @Option(help: "Use at most this many training samples.")
    public var trainLimit: Int?

    @Option(help: "Use at most this many test samples.")
    public var testLimit: Int?

    @Flag(help: "Continue the run in the output folder from its last checkpoint.")
    public var resume = false

    @Flag(help: "Run a few steps on a small synthetic data set written in the real file format.")
    public var smoke = false

    public init() {}

    public func validate() throws {
        for (name, value) in [
            ("--epochs", epochs), ("--batch-size", batchSize), ("--time-steps", timeSteps), ("--threads", threads),
        ] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1, got \(value).") }
        }
        if let learningRate, learningRate <= 0 { throw ValidationError("--learning-rate must be positive.") }
    }
}
