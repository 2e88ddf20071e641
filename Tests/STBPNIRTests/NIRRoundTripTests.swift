import Foundation
import STBPAutodiff
import STBPTensor
import Testing

@testable import STBPNIR
@testable import STBPNetwork

/// Export then import gives the same network: bit-identical spikes and readout on a test batch,
/// for a spec network, a residual network (a branching graph) and a voting readout.
@Suite struct NIRRoundTripTests {
    func roundTrip(_ network: Network) throws -> Network {
        let url = temporaryFile("net.nir")
        try NIRGraph(exporting: network).write(to: url)
        return try Network(nir: try NIRGraph(contentsOf: url))
    }

    func expectSameSpikes(_ a: Network, _ b: Network, input: Tensor, pathsOf mapping: [String: String]) {
        for order in LoopOrder.allCases {
            let (x, y) = (spikes(of: a, input: input, order: order), spikes(of: b, input: input, order: order))
            #expect(x.readout.scalars == y.readout.scalars, "readout, \(order)")
            for (path, imported) in mapping {
                #expect(
                    x.spikes[path] != nil && x.spikes[path]?.scalars == y.spikes[imported]?.scalars,
                    "\(path) vs \(imported)")
            }
        }
    }

    @Test func aSpecNetworkComesBackWithIdenticalSpikes() throws {
        let network = try Network(
            "6C3-AP2-8C3-AP2-24FC-Voting", inputShape: [2, 12, 12],
            options: NetworkOptions(neuron: LIF(decay: 0.3, threshold: 0.2), classes: 4, votes: 3), seed: 5)
        let imported = try roundTrip(network)
        #expect(imported.layers.sublayers.last?.layer is Voting)
        #expect(imported.spec?.text == "6C3-AP2-8C3-AP2-24FC-Voting3")
        expectSameSpikes(
            network, imported, input: randomInput([3, 2, 12, 12], seed: 2),
            pathsOf: ["0": "0_lif", "2": "2_lif", "4": "4_lif", "5": "5_lif"])
    }

    @Test func eventFramesAndAnIntegrateAndFireLayerComeBackToo() throws {
        let network = try Network(inputShape: [1, 6, 6], seed: 1) {
            Conv2D(1, 3, kernelSize: 3, padding: 1)
            LIF(decay: 1, threshold: 0.3)
            Flatten()
            Dense(108, 5)
            LIF(decay: 0.5, threshold: 0.1)
        }
        let graph = try NIRGraph(exporting: network)
        #expect(graph.nodes.map(\.node.typeName).contains("IF"))
        let imported = try roundTrip(network)
        expectSameSpikes(
            network, imported, input: randomInput([6, 2, 1, 6, 6], seed: 4), pathsOf: ["1": "1_if", "4": "4_lif"])
    }

    @Test func aResidualNetworkBecomesABranchingGraphAndComesBack() throws {
        let network = try Network(inputShape: [2, 6, 6], seed: 3) {
            Conv2D(2, 4, kernelSize: 3, padding: 1)
            LIF(decay: 0.4, threshold: 0.2)
            Residual {
                Conv2D(4, 4, kernelSize: 3, padding: 1)
                LIF(decay: 0.4, threshold: 0.2)
            }
            AvgPool2D(2)
            Dense(36, 3)
            LIF(decay: 0.4, threshold: 0.1)
        }
        let graph = try NIRGraph(exporting: network)
        // The block's input feeds both the main path and, through the identity, the pooling.
        #expect(graph.edges.filter { $0.target == "3_avgpool2d" }.map(\.source).sorted() == ["1_lif", "2_main_1_lif"])
        let imported = try roundTrip(network)
        #expect(imported.layers.sublayers.first?.layer is LayerGraph)
        expectSameSpikes(
            network, imported, input: randomInput([2, 2, 6, 6], seed: 7),
            pathsOf: ["1": "graph.1_lif", "2.main.1": "graph.2_main_1_lif", "5": "graph.5_lif"])
    }

    @Test func aBranchingGraphTrainsWithTheGradientsOfItsBlockForm() throws {
        // The residual network as a block and as the LayerGraph its export imports to: the same
        // loss and gradients, in the per-step loop order (the reference) and the folded one.
        let network = try Network(inputShape: [4], seed: 8) {
            Dense(4, 4)
            LIF(decay: 0.5, threshold: 0.2)
            Residual {
                Dense(4, 4)
                LIF(decay: 0.5, threshold: 0.2)
            }
            Dense(4, 2)
        }
        let imported = try roundTrip(network)
        for order in LoopOrder.allCases {
            var (g1, g2) = (SeededGenerator(seed: 0), SeededGenerator(seed: 0))
            let options = ForwardOptions(timeSteps: 4, isTraining: true, order: order)
            let input = randomInput([3, 4], seed: 9)
            let a = network.lossAndGradients(input, labels: [0, 1, 1], options: options, generator: &g1)
            let b = imported.lossAndGradients(input, labels: [0, 1, 1], options: options, generator: &g2)
            #expect(a.loss == b.loss)
            let pairs = zip(network.namedParameters, imported.namedParameters)
            for ((nameA, _), (nameB, _)) in pairs {
                let (x, y) = (a.gradients[nameA]!, b.gradients[nameB]!)
                let scale = max(x.scalars.map(abs).max() ?? 0, 1e-6)
                #expect(
                    zip(x.scalars, y.scalars).allSatisfy { abs($0 - $1) <= 1e-5 * scale },
                    "\(nameA) vs \(nameB), \(order)")
            }
        }
    }

    @Test func layersNIRCannotExpressAreRefusedByName() throws {
        let neuNorm = try Network("4C3-NN-AP2-10", inputShape: [1, 6, 6])
        #expect(throws: NIRError.self) { try NIRGraph(exporting: neuNorm) }
        do throws(NIRError) {
            _ = try NIRGraph(exporting: neuNorm)
        } catch {
            #expect(error.node == "1" && error.type == "NeuNorm", "\(error)")
        }
        let adaptive = try Network(inputShape: [3]) {
            Dense(3, 2)
            ALIF()
        }
        do throws(NIRError) {
            _ = try NIRGraph(exporting: adaptive)
            Issue.record("ALIF was exported")
        } catch {
            #expect(error.node == "1" && error.type == "ALIF", "\(error)")
        }
        let concatenated = try Network(inputShape: [3]) {
            Parallel(merge: .concatenate) {
                Dense(3, 2)
                Dense(3, 2)
            }
        }
        do throws(NIRError) {
            _ = try NIRGraph(exporting: concatenated)
            Issue.record("a concatenation was exported")
        } catch {
            #expect(error.node == "0" && error.description.contains("concatenates"), "\(error)")
        }
    }
}
