import ArgumentParser
import Foundation
import STBP

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a network as NIR (HDF5), for neuromorphic hardware toolchains and other SNN frameworks.",
        discussion: """
            Exports a checkpoint's network with its trained weights, or a spec network (--model, --input-shape) \
            with weights from --weights or its initial ones (--seed). LIF neurons become NIR LIF nodes by forward \
            Euler with step --dt (tau = dt/(1 - decay), r = 1/(1 - decay)); Docs/NIR.md gives the mapping. NeuNorm \
            and adaptive-threshold neurons have no NIR node and are refused.
            """)

    @Option(help: "A swift-stbp checkpoint (.safetensors).")
    var checkpoint: String?

    @Option(help: "The network spec, without a checkpoint.")
    var model: String?

    @Option(help: "One input sample per step as CxHxW, with --model.")
    var inputShape: String?

    @Option(help: "Weights (layers.<i>.weight/bias, .safetensors) for --model; otherwise its initial weights.")
    var weights: String?

    @Option(help: "The seed of --model's initial weights.")
    var seed: UInt64 = 0

    @OptionGroup var neuron: NeuronOptions

    @Option(help: "Classes scored by a Voting layer, with --model.")
    var classes: Int = 10

    @Option(help: "The time step dt written into the graph (seconds; snnTorch's convention is 1e-4).")
    var dt: Double = 1e-4

    @Option(help: "The NIR file to write.")
    var output: String

    func validate() throws {
        try checkTimeStep(dt)
        try ArgumentCheck.count("--classes", classes)
        guard (checkpoint == nil) != (model == nil) else {
            throw ValidationError("Give either --checkpoint or --model (with --input-shape).")
        }
        if model != nil, inputShape == nil { throw ValidationError("--model needs --input-shape (CxHxW).") }
        if checkpoint != nil, weights != nil { throw ValidationError("--weights goes with --model, not --checkpoint.") }
    }

    func run() throws {
        let network: Network
        if let checkpoint {
            let saved = try Checkpoint(contentsOf: URL(fileURLWithPath: checkpoint))
            network = try Trainer(resuming: saved, path: checkpoint).network
        } else {
            let shape = try parseShape(inputShape!, option: "--input-shape")
            let spec = try NetworkSpec(model!)
            let options = try neuron.networkOptions(classes: classes)
            try NetworkPlan(spec, inputShape: shape, options: options).checkParameters()
            network = try Network(spec, inputShape: shape, options: options, seed: seed)
            if let weights {
                try network.loadParameters(
                    from: try SafeTensors(contentsOf: URL(fileURLWithPath: weights)), path: weights)
            }
        }
        let graph = try NIRGraph(exporting: network, timeStep: dt)
        try graph.write(to: URL(fileURLWithPath: output))
        print(
            "wrote \(output): \(graph.nodes.count) nodes, \(graph.edges.count) edges (NIR \(NIRGraph.version), dt \(dt))"
        )
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read a NIR file and print the network swift-stbp builds from it.",
        discussion: """
            Checks that the graph can run here (node types, fields, shapes, no cycles) and prints its layers. \
            Run it on data with `stbp evaluate --model FILE.nir`.
            """)

    @Argument(help: "The NIR file.")
    var file: String

    @Option(help: "The time step dt for LIF and IF nodes (default: the graph's dt metadata).")
    var dt: Double?

    func validate() throws {
        if let dt { try checkTimeStep(dt) }
    }

    func run() throws {
        let graph = try NIRGraph(contentsOf: URL(fileURLWithPath: file))
        let network = try Network(nir: graph, timeStep: dt)
        print("\(file): \(graph.nodes.count) nodes, \(graph.edges.count) edges")
        if let spec = network.spec { print("in the paper's notation: \(spec.text)") }
        print(network.summary)
    }
}

/// --dt: a positive, finite number of seconds.
func checkTimeStep(_ dt: Double) throws {
    guard dt > 0, dt.isFinite else { throw ValidationError("--dt must be a positive number of seconds, got \(dt).") }
}
