import STBPNetwork
import STBPTensor
import Testing

@Suite struct NetworkSpecTests {
    static let paperNetworks = [
        "128C3(Encoding)-128C3-AP2-384C3-384C3-AP2-1024FC-512FC-Voting",
        "128C3(Encoding)-AP2-256C3-AP2-256FC-Voting",
        "128C3(Encoding)-AP2-256C3-512C3-AP2-512FC-Voting",
        "128C3(Encoding)-256C3-AP2-512C3-AP2-1024C3-512C3-1024FC-512FC-Voting",
        "32C3-AP2-32C3-AP2-128FC-10",
        "800-10",
    ]

    @Test(arguments: paperNetworks)
    func everyNetworkOfThePaperParses(spec: String) throws {
        let parsed = try NetworkSpec(spec)
        #expect(parsed.tokens.count == spec.split(separator: "-").count)
    }

    @Test func tokensCarryTheirSizesAndExtensions() throws {
        let spec = try NetworkSpec("64C5s2p1(Encoding)-NN-D0.5-AP3s2-NN0.8-200FC-Voting20")
        #expect(
            spec.tokens == [
                .conv(outputChannels: 64, kernelSize: 5, stride: 2, padding: 1, encoding: true),
                .neuNorm(decay: nil), .dropout(probability: 0.5), .averagePool(kernelSize: 3, stride: 2),
                .neuNorm(decay: 0.8), .dense(outputs: 200), .voting(votes: 20),
            ])
        #expect(
            try NetworkSpec("8C3-10").tokens.first
                == .conv(outputChannels: 8, kernelSize: 3, stride: 1, padding: 1, encoding: false))
    }

    @Test(arguments: [
        ("32C3-AP-10", 1, "AP"), ("32X3-10", 0, "32X3"), ("32C3--10", 1, ""), ("32C3-AP2", 1, "AP2"),
        ("32C3-D1.5-10", 1, "D1.5"), ("32C3-Voting-10", 1, "Voting"), ("32C3-64C3(Encoding)-10", 1, "64C3(Encoding)"),
    ])
    func aMalformedSpecNamesTheTokenAndItsPosition(spec: String, index: Int, token: String) {
        #expect {
            try NetworkSpec(spec)
        } throws: { error in
            guard let error = error as? NetworkSpecError else { return false }
            return error.index == index && error.token == token && error.description.contains("expected")
        }
    }

    @Test func anImpossibleShapeNamesTheLayerAndItsShapes() {
        #expect {
            try Network("8C3-AP2-AP2-AP2-10", inputShape: [1, 6, 6])
        } throws: { error in
            let text = "\(error)"
            return text.contains("token 3 \"AP2\"") && text.contains("[8, 1, 1]")
        }
        #expect(throws: NetworkShapeError.self) { try Network("10-NN-10", inputShape: [1, 4, 4]) }
    }

    @Test func parametersAreNamedByTokenIndexInPyTorchShapes() throws {
        let network = try Network("32C3-AP2-32C3-AP2-128FC-10", inputShape: [1, 28, 28])
        let shapes = Dictionary(
            uniqueKeysWithValues: network.namedParameters.map { ($0.name, $0.parameter.value.shape) })
        #expect(
            shapes == [
                "layers.0.weight": [32, 1, 3, 3], "layers.0.bias": [32],
                "layers.2.weight": [32, 32, 3, 3], "layers.2.bias": [32],
                "layers.4.weight": [128, 1568], "layers.4.bias": [128],
                "layers.5.weight": [10, 128], "layers.5.bias": [10],
            ])
        #expect(network.classes == 10)
    }

    @Test func theSummaryCountsParametersAndMultiplyAccumulates() throws {
        let summary = try Network("32C3-AP2-32C3-AP2-128FC-10", inputShape: [1, 28, 28]).summary
        // Each convolution and dense token is its synapses, then LIF neurons, both named by the token.
        #expect(
            summary.rows.map(\.outputShape) == [
                [32, 28, 28], [32, 28, 28], [32, 14, 14], [32, 14, 14], [32, 14, 14], [32, 7, 7], [128], [128], [10],
                [10],
            ])
        #expect(summary.rows.map(\.name) == ["0", "0", "1", "2", "2", "3", "4", "4", "5", "5"])
        #expect(
            summary.rows.map(\.kind) == [
                "Conv2D", "LIF", "AvgPool2D", "Conv2D", "LIF", "AvgPool2D", "Dense", "LIF", "Dense", "LIF",
            ])
        #expect(summary.rows[3].token == "32C3")
        #expect(summary.totalParameters == 320 + 9248 + 200_832 + 1290)
        // 28·28·32·9 + 14·14·32·288 + 1568·128 + 128·10
        #expect(summary.totalMultiplyAccumulates == 225_792 + 1_806_336 + 200_704 + 1280)
        #expect(summary.description.contains("1,290"))
    }

    @Test func orthogonalInitialisationGivesOrthonormalRowsAndZeroBiases() throws {
        let network = try Network(
            "8C3-AP2-16FC-10", inputShape: [2, 8, 8], options: NetworkOptions(initialization: .orthogonal(gain: 1)))
        let conv = network.parameter(named: "layers.0.weight")!.value.reshaped([8, 18])
        let gram = Tensor.matmul(conv, conv, transposeB: true)
        for i in 0..<8 {
            for j in 0..<8 { #expect(abs(gram[i, j] - (i == j ? 1 : 0)) < 1e-5) }
        }
        #expect(network.parameter(named: "layers.2.bias")!.value.max() == 0)
        #expect(network.parameter(named: "layers.3.weight")!.value.shape == [10, 16])
    }

    @Test func votingScoresTheConfiguredClasses() throws {
        let network = try Network("16FC-Voting5", inputShape: [4], options: NetworkOptions(classes: 3))
        #expect(network.classes == 3)
        #expect(network.outputShapes.suffix(3) == [[15], [15], [3]])
        #expect(network.parameter(named: "layers.1.weight")!.value.shape == [15, 16])
    }
}
