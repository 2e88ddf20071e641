import CSTBPKernels
import STBPTensor

/// The fused LIF passes over time, parallel over blocks of neurons.
///
/// Layouts: current [T, S] (or [S] when it is the same at every step), spikes [T, S], with
/// S = neurons per step (N × features). With `pooling`, S is made of [H, W] planes that are
/// average-pooled as soon as each step's spikes exist, while they are in cache: the output is
/// [T, S'] with S' = planes × Ho × Wo, and the reverse pass takes dL/d(pooled) [T, S'].
///
/// The reverse pass keeps nothing from the forward pass but the current: it recomputes
/// u[t] for one block at a time (T × block floats, in cache), which is cheaper than writing a
/// [T, S] membrane in the forward pass and reading it back.
enum LIFKernel {
    /// Neurons per block, about: each block runs all T steps before the next, within one thread.
    static let block = 1024

    /// Average pooling of [H, W] planes (no padding) applied to the spikes of each step.
    struct Pooling {
        let height: Int, width: Int, kernel: Int, stride: Int
        var outHeight: Int { (height - kernel) / stride + 1 }
        var outWidth: Int { (width - kernel) / stride + 1 }
        var plane: Int { height * width }
        var pooledPlane: Int { outHeight * outWidth }
    }

    /// Neurons per block: `block`, or whole planes when pooling.
    static func blockSize(_ pooling: Pooling?) -> Int {
        guard let pooling else { return block }
        return max(1, block / pooling.plane) * pooling.plane
    }

    /// u[t] = decay · u[t-1] · (1 - o[t-1]) + I[t], o[t] = 1[u[t] > threshold], for t = 0..<T.
    /// Writes the spikes [T, S] to `spikes` and, with `pooling`, the pooled spikes [T, S'] to
    /// `pooled` (`spikes` may then be nil). Returns the number of spikes.
    static func forward(
        current: UnsafePointer<Float>, constant: Bool, timeSteps: Int, size: Int, decay: Float, threshold: Float,
        pooling: Pooling?, spikes: UnsafeMutablePointer<Float>?, pooled: UnsafeMutablePointer<Float>?
    ) -> Int {
        precondition(
            spikes != nil || (pooling != nil && pooled != nil), "LIF forward needs somewhere to put its spikes.")
        let blockSize = blockSize(pooling)
        let blocks = (size + blockSize - 1) / blockSize
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: max(blocks, 1))
        defer { counts.deallocate() }
        let task = UncheckedSendable((current, spikes, pooled, counts))
        parallelFor(blocks) { range in
            let (current, spikes, pooled, counts) = task.value
            // u: the membrane of one block; o: its spikes at one step when they are not kept.
            let u = UnsafeMutablePointer<Float>.allocate(capacity: blockSize)
            let o = UnsafeMutablePointer<Float>.allocate(capacity: spikes == nil ? blockSize : 1)
            defer {
                u.deallocate()
                o.deallocate()
            }
            for block in range {
                let low = block * blockSize, n = min(blockSize, size - low)
                var count = 0
                for t in 0..<timeSteps {
                    let input = current + (constant ? 0 : t * size) + low
                    let out = spikes.map { $0 + t * size + low } ?? o
                    count += step(input, previous: t == 0 ? nil : u, u, out, n, decay: decay, threshold: threshold)
                    if let pooling, let pooled {
                        AvgPool2DKernel.poolPlanes(
                            out,
                            into: pooled + t * (size / pooling.plane) * pooling.pooledPlane
                                + low / pooling.plane * pooling.pooledPlane,
                            planes: n / pooling.plane, height: pooling.height, width: pooling.width,
                            kernel: pooling.kernel, stride: pooling.stride)
                    }
                }
                counts[block] = count
            }
        }
        return (0..<blocks).reduce(0) { $0 + counts[$1] }
    }

    /// One step for n neurons: u = decay · u[t-1] · (1 - o[t-1]) + I (u = I without `previous`),
    /// o = 1[u > threshold]. o[t-1] is recovered as u[t-1] > threshold, so only u carries state;
    /// `previous` may be `u` itself. Returns the number of spikes. Runs in C
    /// (`stbp_lif_step`), built for the widest vectors the CPU has.
    @inline(__always)
    static func step(
        _ input: UnsafePointer<Float>, previous: UnsafePointer<Float>?, _ u: UnsafeMutablePointer<Float>,
        _ o: UnsafeMutablePointer<Float>, _ n: Int, decay: Float, threshold: Float
    ) -> Int {
        stbp_lif_step(input, previous, u, o, n, decay, threshold)
    }

    /// The STBP reverse pass: dL/dI from dL/do [T, S] (or dL/d(pooled) [T, S'] with `pooling`),
    /// recomputing u from the current. dL/dI is [T, S], or [S] (the sum over t) for a constant
    /// current.
    static func backward(
        _ neuron: LIF, current: UnsafePointer<Float>, constant: Bool, timeSteps: Int, size: Int,
        pooling: Pooling?, gradient: UnsafePointer<Float>, gradCurrent: UnsafeMutablePointer<Float>
    ) {
        reverse(
            ReverseArguments(
                neuron: neuron, current: current, constant: constant, timeSteps: timeSteps, size: size,
                pooling: pooling, gradient: gradient, gradCurrent: gradCurrent))
    }

    struct ReverseArguments: @unchecked Sendable {
        let neuron: LIF
        let current: UnsafePointer<Float>, constant: Bool, timeSteps: Int, size: Int, pooling: Pooling?
        let gradient: UnsafePointer<Float>, gradCurrent: UnsafeMutablePointer<Float>
    }

    /// δ[t] = (g[t] - decay · u[t] · δ[t+1]) · h(u[t]) + decay · (1 - o[t]) · δ[t+1], δ[T] = 0,
    /// per block: recompute u[0..<T], then walk t backwards. h comes from the surrogate's fused
    /// kernel when it has one (the rectangle, in C), else from its `derivatives(of:threshold:into:)`.
    static func reverse(_ a: ReverseArguments) {
        let (size, steps) = (a.size, a.timeSteps)
        let decay = a.neuron.decay, threshold = a.neuron.threshold, surrogate = a.neuron.surrogate
        let kernel = surrogate.lifReverseKernel
        // decay · u[t] · δ[t+1] is the gradient through the reset, 0 when it is detached.
        let resetDecay: Float = (a.neuron.detachReset ? 0 : 1) * decay
        let blockSize = blockSize(a.pooling)
        let blocks = (size + blockSize - 1) / blockSize
        parallelFor(blocks) { range in
            // u [T, block], then δ[t+1], the unpooled gradient, the sum over t and h, each [block].
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: (steps + 4) * blockSize)
            defer { scratch.deallocate() }
            let u = scratch, next = scratch + steps * blockSize
            let unpooled = next + blockSize, total = unpooled + blockSize, h = total + blockSize
            for block in range {
                let low = block * blockSize, n = min(blockSize, size - low)
                for t in 0..<steps {
                    _ = step(
                        a.current + (a.constant ? 0 : t * size) + low,
                        previous: t == 0 ? nil : UnsafePointer(u + (t - 1) * n),
                        u + t * n, unpooled, n, decay: decay, threshold: threshold)
                }
                next.update(repeating: 0, count: n)
                if a.constant { total.update(repeating: 0, count: n) }
                for t in stride(from: steps - 1, through: 0, by: -1) {
                    if let p = a.pooling {
                        AvgPool2DKernel.unpoolPlanes(
                            a.gradient + t * (size / p.plane) * p.pooledPlane + low / p.plane * p.pooledPlane,
                            into: unpooled, planes: n / p.plane, height: p.height, width: p.width, kernel: p.kernel,
                            stride: p.stride)
                    }
                    let g = a.pooling == nil ? a.gradient + t * size + low : UnsafePointer(unpooled)
                    let potentials = u + t * n
                    let out = a.constant ? total : a.gradCurrent + t * size + low
                    switch kernel?.kind {
                    case .rectangle(let width):
                        // Built for the widest vectors the CPU has.
                        stbp_lif_delta_rectangular(
                            g, potentials, next, out, a.constant, n, decay, resetDecay, threshold, width)
                    case nil:
                        surrogate.derivatives(
                            of: UnsafeBufferPointer(start: potentials, count: n), threshold: threshold,
                            into: UnsafeMutableBufferPointer(start: h, count: n))
                        delta(
                            g, potentials, h, next, out, accumulate: a.constant, n, decay: decay,
                            resetDecay: resetDecay, threshold: threshold)
                    }
                }
                if a.constant { (a.gradCurrent + low).update(from: total, count: n) }
            }
        }
    }

    /// δ = (g - resetDecay · u · δ') · h + decay · (1 - o) · δ' for n neurons, o = 1[u > V], with
    /// δ' = next[i] on entry and δ on return; out[i] = δ, or out[i] += δ with `accumulate`.
    /// Written with decay · (1 - o) as a select and one loop per destination, so that it
    /// vectorises; the same arithmetic as the C rectangle, bit for bit.
    @inline(__always)
    static func delta(
        _ g: UnsafePointer<Float>, _ u: UnsafePointer<Float>, _ h: UnsafePointer<Float>,
        _ next: UnsafeMutablePointer<Float>, _ out: UnsafeMutablePointer<Float>, accumulate: Bool, _ n: Int,
        decay: Float, resetDecay: Float, threshold: Float
    ) {
        @inline(__always) func value(_ i: Int) -> Float {
            let potential = u[i], later = next[i]
            let keep: Float = potential > threshold ? 0 : decay
            let delta = (g[i] - resetDecay * potential * later) * h[i] + keep * later
            next[i] = delta
            return delta
        }
        if accumulate {
            for i in 0..<n { out[i] += value(i) }
        } else {
            for i in 0..<n { out[i] = value(i) }
        }
    }
}
