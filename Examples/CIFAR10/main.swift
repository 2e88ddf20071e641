// The paper's CIFAR-10 experiments: the small, middle and large networks on the CIFAR-10 binary
// files with the authors' hyper-parameters and augmentation (reported: 90.53% for the large one).
//
//     swift run -c release stbp-cifar10 --data /path/to/cifar-10-batches-bin --network large
//     swift run -c release stbp-cifar10 --smoke
import ArgumentParser
import Foundation
import STBP
import STBPExampleSupport

/// The authors' CIFAR-10 code: dropout 0.5 at the inputs of conv2-conv5 and fc1-fc2 (a new mask
/// each step), SGD with momentum 0.9 at 0.1 for conv and 0.01 for dense layers, x0.1 every 35
/// epochs, 120 epochs, batch 10, decay 0.25, random crop and flip, CIFAR-10 normalisation.
/// Two departures, both settable: the threshold is 0.5, not 0.75 (users reported the shipped
/// script does not learn; a lower threshold helped), and T is 8, not 5 (later work cites
/// longer windows for the 90.53% result).
enum Paper {
    static let networks = [
        "small": "128C3(Encoding)-AP2-D0.5-256C3-AP2-D0.5-256FC-Voting",
        "middle": "128C3(Encoding)-AP2-D0.5-256C3-D0.5-512C3-AP2-D0.5-512FC-Voting",
        "large": "128C3(Encoding)-D0.5-256C3-AP2-D0.5-512C3-AP2-D0.5-1024C3-D0.5-512C3-D0.5-1024FC-D0.5-512FC-Voting",
    ]
    static let timeSteps = 8
    static let decay: Float = 0.25
    static let threshold: Float = 0.5
    static let surrogateWidth: Float = 1
    static let learningRate: Float = 0.1
    static let momentum: Float = 0.9
    static let denseLearningRateScale: Float = 0.1
    static let batchSize = 10
    static let epochs = 120
    static let decayEvery = 35
}

struct CIFAR10Example: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stbp-cifar10", abstract: "Train the paper's CIFAR-10 networks with STBP.",
        discussion: DatasetKind.cifar10.howToGet)

    @OptionGroup var options: ExampleOptions

    @Option(help: "The paper's network: small, middle or large (ignored with --model).")
    var network = "large"

    func validate() throws {
        guard Paper.networks[network] != nil else {
            throw ValidationError("--network \"\(network)\" is unknown; expected small, middle or large.")
        }
    }

    func run() throws {
        let milestones = Array(stride(from: Paper.decayEvery, to: Paper.epochs, by: Paper.decayEvery))
        let recipe = Recipe(
            name: "cifar10-\(network)", dataset: .cifar10, defaultData: "data/cifar-10-batches-bin",
            configuration: TrainingConfiguration(
                spec: Paper.networks[network]!, inputShape: [3, 32, 32],
                network: NetworkOptions(
                    neuron: LIF(
                        decay: Paper.decay, threshold: Paper.threshold,
                        surrogate: .rectangular(width: Paper.surrogateWidth)),
                    dropoutMasks: .perStep),
                timeSteps: Paper.timeSteps, epochs: Paper.epochs, batchSize: Paper.batchSize,
                optimizer: OptimizerConfiguration(
                    kind: .sgd, learningRate: Paper.learningRate, momentum: Paper.momentum,
                    denseLearningRateScale: Paper.denseLearningRateScale),
                schedule: LearningRateSchedule(decay: .step(milestones: milestones, factor: 0.1))),
            datasetOptions: DatasetOptions(augment: true),
            writeSyntheticData: { folder in
                try SyntheticImages.writeCIFAR10Folder(at: folder, recordsPerBatch: 4, testCount: 4, seed: 1)
            })
        try recipe.run(options)
    }
}

BLASKernels.ensureBestForThisCPU()
CIFAR10Example.main()
