import STBPAutodiff
import STBPTensor

/// Neuron normalisation (NeuNorm, the paper's section on normalisation; `NN` in a spec).
///
/// After a conv layer's spikes o[t] (F maps of H x W), one auxiliary neuron per location keeps a
/// leaky average of the fraction of maps firing, and the next layer sees the spikes minus a
/// learned multiple of it plus a learned shift:
///
///     a[t](x,y) = k · a[t-1](x,y) + (1 - k) · (1/F) · Σ_f o[t](f,x,y),     a[0] = 0
///     y[t](f,x,y) = o[t](f,x,y) - α(f,x,y) · a[t](x,y) + β(f,x,y)
///
/// α (`weight`, [F, H, W]) starts at 1 and β (`bias`, [F, H, W]) at 0. Docs/Semantics.md explains
/// why the input coefficient is the mean over maps rather than the paper's v/F².
public struct NeuNorm: Layer {
    /// The scale α [F, H, W].
    public let weight: Parameter
    /// The shift β [F, H, W].
    public let bias: Parameter
    /// The auxiliary neurons' decay k.
    public let decay: Float

    /// NeuNorm for maps of shape [F, H, W] with decay k (0.9 by default).
    public init(shape: [Int], decay: Float = 0.9) {
        precondition(shape.count == 3, "NeuNorm needs a map shape [F, H, W], got \(shape).")
        precondition(decay >= 0 && decay < 1, "NeuNorm decay must lie in [0, 1), got \(decay).")
        weight = Parameter(Tensor(shape: shape, repeating: 1))
        bias = Parameter(Tensor(zeros: shape))
        self.decay = decay
    }

    public var parameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

    public func outputShape(for inputShape: [Int]) throws(NetworkShapeError) -> [Int] {
        guard inputShape == weight.value.shape else {
            throw NetworkShapeError(
                layer: "NN", inputShape: inputShape,
                reason: "NeuNorm follows conv spikes of shape \(weight.value.shape)")
        }
        return inputShape
    }

    public func forward(_ input: TimeSeries, context: inout ForwardContext) -> TimeSeries {
        let x = input.expanded()  // [T, N, F, H, W]
        let (t, n, h, w) = (x.shape[0], x.shape[1], x.shape[3], x.shape[4])
        let average = Variable.leakyAverage(x.mean(alongAxis: 2), decay: decay)  // [T, N, H, W]
        let scaled = context.variable(weight) * average.reshaped([t, n, 1, h, w])
        return TimeSeries(steps: x - scaled + context.variable(bias))
    }

    public func step(_ input: Variable, state: inout LayerState, context: inout ForwardContext) -> Variable {
        let (n, h, w) = (input.shape[0], input.shape[2], input.shape[3])
        let fraction = input.mean(alongAxis: 1) * (1 - decay)  // [N, H, W]
        let average = (state.value as? Variable).map { $0 * decay + fraction } ?? fraction
        state.value = average
        return input - context.variable(weight) * average.reshaped([n, 1, h, w]) + context.variable(bias)
    }
}

extension Variable {
    /// NeuNorm's auxiliary neurons, the leaky average over the first (time) axis, x [T, ...] ->
    /// [T, ...]: a[t] = k · a[t-1] + (1 - k) · x[t], a[-1] = 0. Backward: G[t] = g[t] + k · G[t+1],
    /// dL/dx[t] = (1 - k) · G[t].
    package static func leakyAverage(_ x: Variable, decay k: Float) -> Variable {
        let steps = x.shape[0], size = x.value.count / Swift.max(steps, 1)
        var average = x.value
        average.withUnsafeMutableBufferPointer { a in
            for i in 0..<size { a[i] *= 1 - k }
            for t in 1..<Swift.max(steps, 1) {
                for i in 0..<size { a[t * size + i] = k * a[(t - 1) * size + i] + (1 - k) * a[t * size + i] }
            }
        }
        return record(average, inputs: [x]) { g in
            var d = g
            d.withUnsafeMutableBufferPointer { G in
                for t in Swift.stride(from: steps - 2, through: 0, by: -1) {
                    for i in 0..<size { G[t * size + i] += k * G[(t + 1) * size + i] }
                }
                for i in 0..<G.count { G[i] *= 1 - k }
            }
            return [d]
        }
    }
}
