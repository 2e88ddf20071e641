import ArgumentParser
import Foundation
import STBP

/// The flags every example takes; each overrides the recipe's value when given (each flag's
/// help says what it sets). `package`, like all of STBPExampleSupport: the examples' own
/// support, in no product of the package.
package struct ExampleOptions: ParsableArguments {
    @Option(help: "The data folder (default: the recipe's).")
    package var data: String?

    @Option(help: "The network spec (default: the paper's).")
    package var model: String?

    @Option(help: "Passes over the training set.")
    package var epochs: Int?

    @Option(help: "Samples per optimizer step.")
    package var batchSize: Int?

    @Option(help: "Time steps T.")
    package var timeSteps: Int?

    @Option(help: "Base learning rate.")
    package var learningRate: Float?

    @Option(help: "Threads for OpenBLAS and the package's loops (default: all cores).")
    package var threads: Int?

    @Option(help: "Seed of initialisation, shuffling, augmentation and dropout.")
    package var seed: UInt64?

    @Option(help: "The run folder (default: runs/<example>).")
    package var output: String?

    @Option(help: "Use at most this many training samples.")
    package var trainLimit: Int?

    @Option(help: "Use at most this many test samples.")
    package var testLimit: Int?

    @Flag(
        help:
            "Continue the run in the output folder from its last checkpoint (--epochs and --learning-rate may change).")
    package var resume = false

    @Flag(help: "Start a new run in the output folder even though it holds another run, removing that run's files.")
    package var overwrite = false

    @Flag(help: "Run a few steps on a small synthetic data set written in the real file format.")
    package var smoke = false

    /// No flags given: the recipe's values.
    package init() {}

    /// Throws `ValidationError` for a count below 1 (epochs, batch size, time steps, threads)
    /// or a learning rate that is not positive.
    package func validate() throws {
        for (name, value) in [
            ("--epochs", epochs), ("--batch-size", batchSize), ("--time-steps", timeSteps), ("--threads", threads),
            ("--train-limit", trainLimit), ("--test-limit", testLimit),
        ] {
            try ArgumentCheck.count(name, value)
        }
        try ArgumentCheck.positive("--learning-rate", learningRate)
        if resume && overwrite {
            throw ValidationError("--resume continues the folder's run; --overwrite replaces it.")
        }
    }

    /// The configuration settings these flags set, for --resume.
    package static let settingFlags: [TrainingConfiguration.Setting: String] = [
        .spec: "--model", .epochs: "--epochs", .batchSize: "--batch-size", .timeSteps: "--time-steps",
        .learningRate: "--learning-rate", .seed: "--seed",
    ]

    /// The settings whose flags were given.
    package var givenSettings: Set<TrainingConfiguration.Setting> {
        let given: [(TrainingConfiguration.Setting, Bool)] = [
            (.spec, model != nil), (.epochs, epochs != nil), (.batchSize, batchSize != nil),
            (.timeSteps, timeSteps != nil), (.learningRate, learningRate != nil), (.seed, seed != nil),
        ]
        return Set(given.filter(\.1).map(\.0))
    }
}
