import FuzzSupport
import STBP

/// The network spec parser on the input as UTF-8 text (invalid bytes become U+FFFD); a spec it
/// accepts must parse again from its own text to the same tokens, and be planned for MNIST- and
/// N-MNIST-shaped input without a trap; a plan small enough to build here (at most 1 MB of
/// parameters, 100k activations) must match the network `Network(spec)` builds, layer by layer,
/// and that network must run a step. A `NetworkSpecError` or `NetworkShapeError` is the
/// expected outcome for bad input.
/// Keeps no freed tensor memory between inputs: the cache a training loop reuses would otherwise
/// hold the blocks of every network size met so far and count against libFuzzer's RSS limit.
let noCache: Void = MemoryCache.release()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = noCache
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    expectingOnly([NetworkSpecError.self, NetworkShapeError.self], from: "NetworkSpec(_:), NetworkPlan, Network") {
        let spec = try NetworkSpec(text)
        check(spec.tokens.count == spec.tokenTexts.count, "tokens and token texts differ in number")
        let again: NetworkSpec
        do {
            again = try NetworkSpec(spec.text)
        } catch {
            fatalError("the parser rejects the text of a spec it accepted: \(error)")
        }
        check(again.tokens == spec.tokens, "a spec parses to other tokens from its own text")
        for shape in [[1, 28, 28], [2, 9, 7]] {
            let options = NetworkOptions(neuron: LIF(decay: 0.5, threshold: 0.1), classes: 3, votes: 2)
            guard let plan = try? NetworkPlan(spec, inputShape: shape, options: options),
                plan.parameterBytes <= 1 << 20,
                plan.rows.reduce(0, { $0 + $1.outputShape.reduce(1, *) }) <= 100_000
            else { continue }
            let network = try Network(spec, inputShape: shape, options: options)
            let built = network.summary.rows
            check(
                built.map(\.outputShape) == plan.rows.map(\.outputShape), "the plan's shapes differ from the network's")
            check(
                built.map(\.parameters) == plan.rows.map(\.parameters),
                "the plan's parameters differ from the network's")
            check(built.map(\.kind) == plan.rows.map(\.kind), "the plan's layers differ from the network's")
            var generator = SeededGenerator(seed: 0)
            let result = network.lossAndGradients(
                Tensor(shape: [1] + shape, repeating: 0.7), labels: [network.classes - 1],
                options: ForwardOptions(timeSteps: 2, isTraining: true), generator: &generator)
            check(result.loss.isFinite, "a step gives a loss of \(result.loss)")
        }
    }
    return 0
}
