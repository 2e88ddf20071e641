import ArgumentParser
import STBP

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Print a network's layers, output shapes, parameter counts and multiply-accumulates per time step.",
        discussion: "Works the network out without building it: no weight is allocated, whatever its size.")

    @Option(name: .long, help: "The network in the paper's notation, e.g. 32C3-AP2-32C3-AP2-128FC-10.")
    var model: String

    @Option(name: .long, help: "One input sample per step as CxHxW.")
    var inputShape: String = "1x28x28"

    @Option(name: .long, help: "Classes scored by a Voting layer.")
    var classes: Int = 10

    func run() throws {
        let shape = try parseShape(inputShape, option: "--input-shape")
        let spec = try NetworkSpec(model)
        let plan = try NetworkPlan(spec, inputShape: shape, options: NetworkOptions(classes: classes))
        print(spec.text)
        print(plan.summary)
        print("parameters: \(MemorySize.text(plan.parameterBytes)) as float32")
    }
}
