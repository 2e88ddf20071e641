// The paper's DVS-CIFAR10 experiment: the N-MNIST network on CIFAR10-DVS recordings, 128x128
// events summed down to 48x48 frames, split 900/100 per class by sorted file name
// (reported: 60.5%).
//
//     swift run -c release stbp-dvs-cifar10 --data /path/to/CIFAR10-DVS   (one folder per class)
//     swift run -c release stbp-dvs-cifar10 --smoke
import ArgumentParser
import Foundation
import STBP
import STBPExampleSupport

/// The paper lists one network for both event data sets; frame size, T and the optimizer are ours.
enum Paper {
    static let network = "128C3(Encoding)-128C3-AP2-384C3-384C3-AP2-1024FC-512FC-Voting"
    static let frameSize = 48
    static let timeSteps = 10
    static let decay: Float = 0.2
    static let threshold: Float = 0.5
    static let surrogateWidth: Float = 1
    static let learningRate: Float = 1e-3
    static let batchSize = 16
    static let epochs = 100
    static let decayEpochs = [40, 80]
    static let trainPerClass = 900
    static let testPerClass = 100
}

struct DVSCIFAR10Example: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stbp-dvs-cifar10", abstract: "Train the paper's DVS-CIFAR10 network with STBP.",
        discussion: DatasetKind.dvsCIFAR10.howToGet)

    @OptionGroup var options: ExampleOptions

    @Option(help: "Training recordings per class (the first by sorted name).")
    var trainPerClass = Paper.trainPerClass

    @Option(help: "Test recordings per class (the last by sorted name).")
    var testPerClass = Paper.testPerClass

    func run() throws {
        var datasetOptions = DatasetOptions(
            eventSplit: .time, eventValues: .binary, dvsFrameSize: Paper.frameSize, trainPerClass: trainPerClass,
            testPerClass: testPerClass)
        if options.smoke {
            datasetOptions.trainPerClass = 1
            datasetOptions.testPerClass = 1
        }
        let recipe = Recipe(
            name: "dvs-cifar10", dataset: .dvsCIFAR10, defaultData: "data/CIFAR10-DVS",
            configuration: TrainingConfiguration(
                spec: Paper.network, inputShape: [2, Paper.frameSize, Paper.frameSize],
                network: NetworkOptions(
                    neuron: LIF(
                        decay: Paper.decay, threshold: Paper.threshold,
                        surrogate: .rectangular(width: Paper.surrogateWidth))),
                timeSteps: Paper.timeSteps, epochs: Paper.epochs, batchSize: Paper.batchSize,
                optimizer: OptimizerConfiguration(kind: .adam, learningRate: Paper.learningRate),
                schedule: LearningRateSchedule(decay: .step(milestones: Paper.decayEpochs, factor: 0.1))),
            datasetOptions: datasetOptions,
            writeSyntheticData: { folder in
                try SyntheticEvents.writeDVSCIFAR10Folder(
                    at: folder, samplesPerClass: 2, eventsPerSample: 2000, seed: 1)
            })
        try recipe.run(options)
    }
}

BLASKernels.ensureBestForThisCPU()
DVSCIFAR10Example.main()
