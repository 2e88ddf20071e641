import STBPAutodiff
import STBPTensor

/// A dense layer: the synapses of a fully connected layer (the paper's `1024FC` is a `Dense`
/// followed by `LIF` neurons).
///
/// Input [T, N, ...] is flattened per sample (C, H, W order, as PyTorch flattens NCHW) to
/// [T·N, in]; weight [out, in], bias [out]; output currents [T, N, out].
public struct Dense: Layer {
    /// The weight [out, in].
    public let weight: Parameter
    /// The bias [out], if any.
    public let bias: Parameter?

    /// A dense layer with PyTorch's default initialisation (uniform ±1/sqrt(in)), drawn from
    /// `generator`: the weight, then the bias.
    public init(inputSize: Int, outputSize: Int, bias: Bool = true, generator: inout SeededGenerator) {
        precondition(inputSize >= 1 && outputSize >= 1, "Dense needs at least one input and one output.")
        weight = Parameter(.kaimingUniform([outputSize, inputSize], fanIn: inputSize, using: &generator))
        self.bias = bias ? Parameter(.kaimingUniform([outputSize], fanIn: inputSize, using: &generator)) : nil
    }

    /// A dense layer from `inputSize` to `outputSize`, initialised from the current
    /// `ParameterInitialization` scope.
    public init(_ inputSize: Int, _ outputSize: Int, bias: Bool = true) {
        self = ParameterInitialization.draw {
            Dense(inputSize: inputSize, outputSize: outputSize, bias: bias, generator: &$0)
        }
    }

    /// The number of outputs.
    public var outputSize: Int { weight.value.shape[0] }
    /// The number of inputs.
    public var inputSize: Int { weight.value.shape[1] }

    public var parameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

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
        let context = context
        return input.mapFolded { product($0, context) }
    }

    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        product(input, context)
    }
}
