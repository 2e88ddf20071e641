import STBPAutodiff
import STBPTensor

/// A 2-D convolution, NCHW: the synapses of a convolutional layer (the paper's `128C3` is a
/// `Conv2D` followed by `LIF` neurons).
///
/// Input [T, N, C, H, W] (or a constant [N, C, H, W]), weight [O, C, k, k], bias [O], output
/// currents [T, N, O, Ho, Wo], Ho = (H + 2p - k)/s + 1. T is folded into the GEMM batch, and a
/// constant input (a static image) is convolved once, not T times.
public struct Conv2D: Layer {
    /// The kernel [O, C, k, k].
    public let weight: Parameter
    /// The bias [O], if any.
    public let bias: Parameter?
    /// The step between windows.
    public let stride: Int
    /// Zero padding on each side.
    public let padding: Int

    /// A convolution with PyTorch's default initialisation (uniform ±1/sqrt(C·k·k)), drawn from
    /// `generator`: the weight, then the bias.
    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        bias: Bool = true, generator: inout SeededGenerator
    ) {
        precondition(
            inputChannels >= 1 && outputChannels >= 1 && kernelSize >= 1 && stride >= 1 && padding >= 0,
            "Conv2D needs positive channels, kernel size and stride and a padding of at least 0.")
        let fanIn = inputChannels * kernelSize * kernelSize
        weight = Parameter(
            .kaimingUniform([outputChannels, inputChannels, kernelSize, kernelSize], fanIn: fanIn, using: &generator))
        self.bias = bias ? Parameter(.kaimingUniform([outputChannels], fanIn: fanIn, using: &generator)) : nil
        self.stride = stride
        self.padding = padding
    }

    /// A convolution from `inputChannels` to `outputChannels` maps, initialised from the
    /// current `ParameterInitialization` scope.
    public init(
        _ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        bias: Bool = true
    ) {
        self = ParameterInitialization.draw {
            Conv2D(
                inputChannels: inputChannels, outputChannels: outputChannels, kernelSize: kernelSize, stride: stride,
                padding: padding, bias: bias, generator: &$0)
        }
    }

    /// The number of output maps O.
    public var outputChannels: Int { weight.value.shape[0] }
    /// The number of input maps C.
    public var inputChannels: Int { weight.value.shape[1] }
    /// The kernel size k.
    public var kernelSize: Int { weight.value.shape[2] }

    public var parameters: [(name: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] {
        guard inputShape.count != 3 || inputShape[0] == inputChannels else {
            throw NetworkShapeError(
                layer: "\(outputChannels)C\(kernelSize)", inputShape: inputShape,
                reason: "the weight expects \(inputChannels) channels")
        }
        return try Conv2D.outputShape(
            for: inputShape, outputChannels: outputChannels, kernelSize: kernelSize, stride: stride, padding: padding)
    }

    /// The output [O, Ho, Wo] of a convolution of maps [C, H, W]: Ho = (H + 2p - k)/s + 1.
    static func outputShape(
        for inputShape: [Int], outputChannels: Int, kernelSize k: Int, stride: Int, padding: Int
    ) throws(NetworkShapeError) -> [Int] {
        let name = "\(outputChannels)C\(k)"
        guard inputShape.count == 3 else {
            throw NetworkShapeError(layer: name, inputShape: inputShape, reason: "a convolution needs [C, H, W] maps")
        }
        guard let height = Checked.sum([inputShape[1], padding, padding]),
            let width = Checked.sum([inputShape[2], padding, padding]), height >= k, width >= k
        else {
            throw NetworkShapeError(
                layer: name, inputShape: inputShape, reason: "a \(k)x\(k) kernel with padding \(padding) does not fit")
        }
        return [outputChannels, (height - k) / stride + 1, (width - k) / stride + 1]
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
        let context = context
        return input.mapFolded { convolve($0, context) }
    }

    /// `forward` for spikes [T, N, C, H, W] (0s and 1s) that neurons fired: the same values and
    /// gradients by `Variable.spikeConv2d`, which keeps them as bits for the backward pass and
    /// visits only the ones where that is faster. `Sequential` calls it for a convolution right
    /// after neurons.
    func forward(spikes input: TimeSeries, context: ForwardContext) -> TimeSeries {
        input.mapFolded {
            Variable.spikeConv2d(
                $0, weight: context.variable(weight), bias: bias.map { context.variable($0) }, stride: stride,
                padding: padding)
        }
    }

    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        convolve(input, context)
    }
}
