import STBPAutodiff
import STBPTensor

/// A dense layer, optionally followed by LIF neurons (the paper's `1024FC`).
///
/// Input [T, N, ...] is flattened per sample (C, H, W order, as PyTorch flattens NCHW) to
/// [T·N, in]; weight [out, in], bias [out]; output [T, N, out] spikes.
public struct Dense: FiringLayer {
    /// The weight [out, in].
    public let weight: Parameter
    /// The bias [out], if any.
    public let bias: Parameter?
    /// The neurons after the product; nil gives a plain dense layer.
    public var neuron: LIFNeuron?

    /// A dense layer with PyTorch's default initialisation (uniform ±1/sqrt(in)).
    public init(
        inputSize: Int, outputSize: Int, bias: Bool = true, neuron: LIFNeuron? = LIFNeuron(),
        generator: inout SeededGenerator
    ) {
        weight = Parameter(.kaimingUniform([outputSize, inputSize], fanIn: inputSize, using: &generator))
        self.bias = bias ? Parameter(.kaimingUniform([outputSize], fanIn: inputSize, using: &generator)) : nil
        self.neuron = neuron
    }

    /// The number of outputs.
    public var outputSize: Int { weight.value.shape[0] }
    /// The number of inputs.
    public var inputSize: Int { weight.value.shape[1] }

    public var parameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public var firesSpikes: Bool { neuron != nil }

    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] {
        guard inputShape.reduce(1, *) == inputSize else {
            throw NetworkShapeError(
                layer: "\(outputSize)FC", inputShape: inputShape, reason: "the weight expects \(inputSize) inputs")
        }
        return [outputSize]
    }

    public func multiplyAccumulates(for inputShape: [Int]) -> Int { inputSize * outputSize }

    func product(_ x: Variable, _ context: ForwardContext) -> Variable {
        Variable.dense(x.flattened(), weight: context.variable(weight), bias: bias.map { context.variable($0) })
    }

    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        forwardFiring(input, pool: nil, keepSpikes: false, context: &context).series
    }

    func forwardFiring(
        _ input: TimeSeries, pool: AvgPool2D?, keepSpikes: Bool, context: inout ForwardContext
    ) -> FiringOutput {
        fire(input.mapFolded { product($0, context) }, neuron, pool: nil, keepSpikes: keepSpikes)
    }

    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        let current = product(input, context)
        guard let neuron else { return current }
        return neuron.step(current, state: &state.neuron)
    }
}
