// The paper's N-MNIST experiment: 128C3(Encoding)-128C3-AP2-384C3-384C3-AP2-1024FC-512FC-Voting
// on 34x34 event frames with two polarity channels (reported: 99.53%).
//
//     swift run -c release stbp-nmnist --data /path/to/N-MNIST      (Train/ and Test/ inside)
//     swift run -c release stbp-nmnist --smoke                       (synthetic data, a few steps)
import ArgumentParser
import Foundation
import STBP
import STBPExampleSupport

/// The paper's network with the reference neuron; T and the optimizer are ours (PAPER.md: the
/// same group's N-MNIST code bins short frames; the paper's own values could not be checked).
enum Paper {
    static let network = "128C3(Encoding)-128C3-AP2-384C3-384C3-AP2-1024FC-512FC-Voting"
    static let timeSteps = 10
    static let decay: Float = 0.2
    static let threshold: Float = 0.5
    static let surrogateWidth: Float = 1
    static let votesPerClass = 10
    static let learningRate: Float = 1e-3
    static let batchSize = 32
    static let epochs = 100
    static let decayEpochs = [40, 80]
}

struct NMNISTExample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stbp-nmnist", abstract: "Train the paper's N-MNIST network with STBP.",
        discussion: DatasetKind.nmnist.howToGet)

    @OptionGroup var options: ExampleOptions

    func run() throws {
        let recipe = Recipe(
            name: "nmnist", dataset: .nmnist, defaultData: "data/N-MNIST",
            configuration: TrainingConfiguration(
                spec: Paper.network, inputShape: [2, 34, 34],
                network: NetworkOptions(
                    neuron: LIF(
                        decay: Paper.decay, threshold: Paper.threshold,
                        surrogate: .rectangular(width: Paper.surrogateWidth)),
                    classes: 10, votes: Paper.votesPerClass),
                timeSteps: Paper.timeSteps, epochs: Paper.epochs, batchSize: Paper.batchSize,
                optimizer: OptimizerConfiguration(kind: .adam, learningRate: Paper.learningRate),
                schedule: LearningRateSchedule(decay: .step(milestones: Paper.decayEpochs, factor: 0.1))),
            datasetOptions: DatasetOptions(eventSplit: .time, eventValues: .binary),
            writeSyntheticData: { folder in
                try SyntheticEvents.writeNMNISTFolder(at: folder, samplesPerClass: 1, testSamplesPerClass: 1, seed: 1)
            })
        try recipe.run(options)
    }
}

BLASKernels.ensureBestForThisCPU()
NMNISTExample.main()
