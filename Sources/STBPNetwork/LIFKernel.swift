import STBPTensor

/// The fused LIF passes over time, parallel over neurons. Layouts: current [T, S] (or [S] when
/// constant over time), membrane and spikes [T, S], S = neurons per step (N × features).
enum LIFKernel {
    /// Neurons per block: each block runs all T steps before the next, within one thread.
    static let block = 1024

    /// u[t] = decay · u[t-1] · (1 - o[t-1]) + I[t], o[t] = 1[u[t] > threshold], for t = 0..<T.
    static func forward(
        current: UnsafePointer<Float>, constant: Bool, timeSteps: Int, size: Int,
        decay: Float, threshold: Float, membrane: UnsafeMutablePointer<Float>, spikes: UnsafeMutablePointer<Float>
    ) {
        let task = UncheckedSendable((current, membrane, spikes))
        parallelFor(size, grain: block) { range in
            let (current, u, o) = task.value
            for t in 0..<timeSteps {
                let row = t * size
                let input = constant ? current : current + row
                if t == 0 {
                    for s in range {
                        let v = input[s]
                        u[s] = v
                        o[s] = v > threshold ? 1 : 0
                    }
                } else {
                    let previous = row - size
                    for s in range {
                        let v = decay * u[previous + s] * (1 - o[previous + s]) + input[s]
                        u[row + s] = v
                        o[row + s] = v > threshold ? 1 : 0
                    }
                }
            }
        }
    }

    /// The STBP reverse pass: dL/dI from dL/do [T, S] and the saved membrane [T, S].
    /// For a constant current, dL/dI [S] is the sum over t.
    static func backward(
        _ neuron: LIFNeuron, gradSpikes: UnsafePointer<Float>, membrane: UnsafePointer<Float>, constant: Bool,
        timeSteps: Int, size: Int, gradCurrent: UnsafeMutablePointer<Float>
    ) {
        let threshold = neuron.threshold
        switch neuron.surrogate {
        case .rectangular(let a):
            let half = a / 2, height = 1 / a
            reverse(neuron, gradSpikes, membrane, constant, timeSteps, size, gradCurrent) { abs($0 - threshold) < half ? height : 0 }
        default:
            let surrogate = neuron.surrogate
            reverse(neuron, gradSpikes, membrane, constant, timeSteps, size, gradCurrent) { surrogate.derivative(at: $0 - threshold) }
        }
    }

    @inline(__always)
    static func reverse(
        _ neuron: LIFNeuron, _ gradSpikes: UnsafePointer<Float>, _ membrane: UnsafePointer<Float>, _ constant: Bool,
        _ timeSteps: Int, _ size: Int, _ gradCurrent: UnsafeMutablePointer<Float>, _ h: (Float) -> Float
    ) {
        let decay = neuron.decay, threshold = neuron.threshold
        let resetTerm: Float = neuron.detachReset ? 0 : 1
        let task = UncheckedSendable((gradSpikes, membrane, gradCurrent))
        withoutActuallyEscaping(h) { h in
            let surrogate = UncheckedSendable(h)
            parallelFor(size, grain: block) { range in
                let (g, u, d) = task.value
                let h = surrogate.value
                // δ[t+1] for the neurons of this chunk.
                withUnsafeTemporaryAllocation(of: Float.self, capacity: range.count) { next in
                    next.initialize(repeating: 0)
                    let base = range.lowerBound
                    for t in stride(from: timeSteps - 1, through: 0, by: -1) {
                        let row = t * size
                        for s in range {
                            let potential = u[row + s]
                            let fired: Float = potential > threshold ? 1 : 0
                            let later = next[s - base]
                            let delta =
                                (g[row + s] - resetTerm * decay * potential * later) * h(potential)
                                + decay * (1 - fired) * later
                            next[s - base] = delta
                            if constant {
                                d[s] += delta
                            } else {
                                d[row + s] = delta
                            }
                        }
                    }
                }
            }
        }
    }
}
