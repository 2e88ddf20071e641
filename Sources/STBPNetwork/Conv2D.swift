import STBPAutodiff
import STBPTensor

/// A 2-D convolution, NCHW, optionally followed by LIF neurons (the paper's `128C3`).
///
/// Input [T, N, C, H, W] (or a constant [N, C, H, W]), weight [O, C, k, k], bias [O],
/// output [T, N, O, Ho, Wo] spikes, Ho = (H + 2p - k)/s + 1. T is folded into the GEMM batch.
public struct Conv2D: FiringLayer {
    /// The kernel [O, C, k, k].
    public let weight: Parameter
    /// The bias [O], if any.
    public let bias: Parameter?
    /// The step between windows.
    public let stride: Int
    /// Zero padding on each side.
    public let padding: Int
    /// The neurons after the convolution; nil gives a plain convolution.
    public var neuron: LIFNeuron?

    /// A convolution with PyTorch's default initialisation (uniform ±1/sqrt(C·k·k)).
    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        bias: Bool = true, neuron: LIFNeuron? = LIFNeuron(), generator: inout SeededGenerator
    ) {
        let fanIn = inputChannels * kernelSize * kernelSize
        weight = Parameter(
            .kaimingUniform([outputChannels, inputChannels, kernelSize, kernelSize], fanIn: fanIn, using: &generator))
        self.bias = bias ? Parameter(.kaimingUniform([outputChannels], fanIn: fanIn, using: &generator)) : nil
        self.stride = stride
        self.padding = padding
        self.neuron = neuron
    }

    var outputChannels: Int { weight.value.shape[0] }
    var kernelSize: Int { weight.value.shape[2] }

    public var parameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public var firesSpikes: Bool { neuron != nil }

    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] {
        let name = "\(outputChannels)C\(kernelSize)"
        guard inputShape.count == 3 else {
            throw NetworkShapeError(layer: name, inputShape: inputShape, reason: "a convolution needs [C, H, W] maps")
        }
        guard inputShape[0] == weight.value.shape[1] else {
            throw NetworkShapeError(
                layer: name, inputShape: inputShape, reason: "the weight expects \(weight.value.shape[1]) channels")
        }
        guard inputShape[1] + 2 * padding >= kernelSize, inputShape[2] + 2 * padding >= kernelSize else {
            throw NetworkShapeError(
                layer: name, inputShape: inputShape,
                reason: "a \(kernelSize)x\(kernelSize) kernel with padding \(padding) does not fit")
        }
        let g = Conv2DGeometry(
            inputShape: [1] + inputShape, weightShape: weight.value.shape, stride: stride, padding: padding)
        return Array(g.outputShape.dropFirst())
    }

    public func multiplyAccumulates(for inputShape: [Int]) -> Int {
        Conv2DGeometry(inputShape: [1] + inputShape, weightShape: weight.value.shape, stride: stride, padding: padding)
            .macsPerSample
    }

    func convolve(_ x: Variable, _ context: ForwardContext) -> Variable {
        Variable.conv2d(
            x, weight: context.variable(weight), bias: bias.map { context.variable($0) }, stride: stride,
            padding: padding)
    }

    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        forwardFiring(input, pool: nil, keepSpikes: false, context: &context).series
    }

    var canPoolSpikes: Bool { true }

    func forwardFiring(
        _ input: TimeSeries, pool: AvgPool2D?, keepSpikes: Bool, context: inout ForwardContext
    ) -> FiringOutput {
        fire(input.mapFolded { convolve($0, context) }, neuron, pool: pool, keepSpikes: keepSpikes)
    }

    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        let current = convolve(input, context)
        guard let neuron else { return current }
        return neuron.step(current, state: &state.neuron)
    }
}
