// Extending swift-stbp: a network composed in Swift from layer values, with a neuron model that
// learns its own decay and threshold (PLIF), a surrogate and a loss written in this file, trained
// on the MNIST subset that ships with the package.
//
//     swift run -c release stbp-extending
import ArgumentParser
import Foundation
import STBP
import STBPExampleSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The fast-sigmoid surrogate of SuperSpike (snnTorch's default): h(x) = 1 / (2a (1 + |x|/a)²),
/// area 1, with heavier tails than the rectangle, so neurons far from threshold still learn.
/// The LIF kernels run it on their generic vectorised path.
struct FastSigmoid: Surrogate {
    var width: Float = 0.5
    var name: String { "fast-sigmoid" }
    func derivative(at x: Float) -> Float {
        let d = 1 + abs(x) / width
        return 1 / (2 * width * d * d)
    }
}

/// Cross-entropy on spike counts (snnTorch's `ce_count_loss`): the readout's firing rates times
/// T are the logits, so a class wins by firing more often than the others.
func countCrossEntropy(timeSteps: Int) -> Loss {
    Loss(name: "count-cross-entropy") { rates, labels in
        let logProbabilities = (rates * Float(timeSteps)).logSoftmax(alongAxis: 1)
        let target = Variable(Loss.oneHot(labels, classes: rates.shape[1]))
        return -(logProbabilities * target).sum() / Float(labels.count)
    }
}

/// The authors' MNIST network, with PLIF neurons in its hidden dense layer.
func makeNetwork(_ configuration: TrainingConfiguration) throws -> Network {
    let spike = FastSigmoid()
    return try Network(inputShape: configuration.inputShape, seed: configuration.seed) {
        Conv2D(1, 32, kernelSize: 3, padding: 1)
        LIF(surrogate: spike)
        AvgPool2D(2)
        Conv2D(32, 32, kernelSize: 3, padding: 1)
        LIF(surrogate: spike)
        AvgPool2D(2)
        Dense(32 * 7 * 7, 128)
        PLIF(decay: 0.2, threshold: 0.5, surrogate: spike)
        Dense(128, 10)
        LIF(surrogate: spike)
    }
}

/// The subset of MNIST committed next to the examples.
let bundledData = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../Data/mnist-subset").standardizedFileURL.path

struct Extending: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stbp-extending",
        abstract: "Train a network composed in Swift, with PLIF neurons and this file's own surrogate and loss.")

    @OptionGroup var options: ExampleOptions

    func validate() throws {
        if options.model != nil { throw ValidationError("--model: this example composes its network in Swift.") }
    }

    func run() throws {
        // The recipe's T, or the smoke mode's, or the flag's: the loss counts spikes over it.
        let timeSteps = options.timeSteps ?? (options.smoke ? 2 : 8)
        let recipe = Recipe(
            name: "extending", dataset: .mnist, defaultData: bundledData,
            configuration: TrainingConfiguration(
                spec: nil, inputShape: [1, 28, 28], timeSteps: 8, epochs: 4, batchSize: 50,
                optimizer: OptimizerConfiguration(kind: .adam, learningRate: 1e-3)),
            writeSyntheticData: { folder in
                try SyntheticImages.writeMNISTFolder(at: folder, trainCount: 20, testCount: 10, seed: 1)
            },
            makeNetwork: makeNetwork, loss: countCrossEntropy(timeSteps: timeSteps))
        try recipe.run(options)
    }
}

BLASKernels.ensureBestForThisCPU()
Extending.main()
