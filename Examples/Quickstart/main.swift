// The quick start: the authors' MNIST network, trained with STBP on the MNIST subset that ships
// with the package (6000 training and 1000 test images), in a few minutes on two cores.
//
//     swift run -c release stbp-quickstart
import ArgumentParser
import Foundation
import STBP
import STBPExampleSupport

/// The authors' MNIST recipe (their STBP code), shortened to fit a few minutes.
enum Paper {
    static let network = "32C3-AP2-32C3-AP2-128FC-10"
    static let timeSteps = 8
    static let decay: Float = 0.2
    static let threshold: Float = 0.5
    static let surrogateWidth: Float = 1
    static let learningRate: Float = 1e-3
    static let batchSize = 50
    static let epochs = 4
}

/// The subset of MNIST committed next to this file.
let bundledData = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../Data/mnist-subset").standardizedFileURL.path

struct Quickstart: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stbp-quickstart", abstract: "Train the authors' MNIST network on the bundled MNIST subset.")

    @OptionGroup var options: ExampleOptions

    func run() throws {
        let recipe = Recipe(
            name: "quickstart", dataset: .mnist, defaultData: bundledData,
            configuration: TrainingConfiguration(
                spec: Paper.network, inputShape: [1, 28, 28],
                network: NetworkOptions(
                    neuron: LIF(
                        decay: Paper.decay, threshold: Paper.threshold,
                        surrogate: .rectangular(width: Paper.surrogateWidth))),
                timeSteps: Paper.timeSteps, epochs: Paper.epochs, batchSize: Paper.batchSize,
                optimizer: OptimizerConfiguration(kind: .adam, learningRate: Paper.learningRate)),
            writeSyntheticData: { folder in
                try SyntheticImages.writeMNISTFolder(at: folder, trainCount: 20, testCount: 10, seed: 1)
            })
        try recipe.run(options)
    }
}

BLASKernels.ensureBestForThisCPU()
Quickstart.main()
