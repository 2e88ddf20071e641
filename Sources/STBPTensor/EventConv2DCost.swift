import Synchronization

/// The cost model that picks, per layer and per batch, between the event-driven passes of a
/// spike-fed convolution (`EventConv2DKernel`) and the dense ones (`Conv2DKernel`), from the
/// number of ones in the input. Predicted seconds on one core:
///
///     event forward = a · ones·k²·O + s · N·C·H·W + w · N·O·Ho·Wo + v · visits + u · N·k²·C·O
///     event dL/dw   = a' · ones·k²·O + w' · N·O·Ho·Wo + r · N·k²·C·O
///     dense (each)  = d · N·O·Ho'·Wo'·C·k²   (d by algorithm: F(4x4, 3x3), F(2x2, 3x3) or im2col;
///                                           Ho', Wo' rounded up to whole Winograd tiles)
///
/// a, a': one addition of a weight (or dL/dy) row entry; s: one input entry listed; w: one
/// output written; w': one dL/dy entry transposed; v: one visit of an output pixel for a tap, a
/// block of 64 output channels and a slab of 128 input channels (visits = N·Ho·Wo·k²·⌈O/64⌉·⌈C/128⌉);
/// u: the weights read once per sample (from L3 when they do not fit in L2); r: the weight
/// gradient's rows added once per sample; d: one multiply-add of the dense pass. The
/// constants were fitted to `stbp bench --density-sweep` on this machine's kind for the nmnist
/// and cifar10 networks' spike-fed layers (Docs/Performance.md); the event path is only taken
/// where it is predicted `margin` of the dense time or less, so that a layer near the
/// break-even keeps the dense path that ran before.
package struct EventConv2DCost: Sendable {
    /// Seconds per event-path addition (a, a'): forward, weight gradient.
    static let forwardAddition = 6e-11, gradientAddition = 8e-11
    /// Seconds per input entry listed (s), forward; the weight gradient lists from bits.
    static let listing = 1.75e-9
    /// Seconds per output entry written (w): forward; per dL/dy entry transposed (w'): weight gradient.
    static let forwardWriting = 1.75e-9, gradientTransposing = 2e-9
    /// Seconds per visit (v) of an output pixel, tap, block of 64 output channels and slab.
    static let visit = 4e-9
    /// Seconds per weight read (u), forward, and per weight-gradient entry added (r), per sample.
    static let weightReading = 2.25e-10, gradientRowAdding = 1e-10
    /// Seconds per dense multiply-add (d) of the convolution written directly: F(4x4, 3x3)
    /// measured; F(2x2, 3x3) and im2col scaled from it by the GEMM work of each.
    static let denseWinograd4x4 = 1e-11, denseWinograd2x2 = 1.8e-11, denseIm2col = 3e-11
    /// The event path must be predicted this much faster to be taken.
    static let margin = 0.8

    /// Which path spike-fed convolutions take: `automatic` (the model's choice), or always
    /// `dense` (as before the event-driven kernels: `conv2d`, input kept as Float32) or always
    /// `event` where the kernels apply. For benchmarks and tests; `automatic` by default.
    package enum Choice: Int, Sendable { case automatic, dense, event }

    /// The path spike-fed convolutions take (`stbp bench --spike-kernels`).
    package static var choice: Choice {
        get { Choice(rawValue: chosen.load(ordering: .relaxed)) ?? .automatic }
        set { chosen.store(newValue.rawValue, ordering: .relaxed) }
    }
    private static let chosen = Atomic<Int>(Choice.automatic.rawValue)

    let geometry: Conv2DGeometry
    /// Ones in the input.
    let ones: Int
    /// The model's choice, or a path forced.
    let choice: Choice

    /// The model for a convolution of `geometry` whose input holds `ones` ones, choosing as
    /// `choice` says (by default as `EventConv2DCost.choice` says).
    package init(geometry: Conv2DGeometry, ones: Int, choice: Choice = EventConv2DCost.choice) {
        self.geometry = geometry
        self.ones = ones
        self.choice = choice
    }

    /// Predicted seconds of the dense forward pass (or of its weight gradient). Winograd pads
    /// each map to whole tiles (4x4 or 2x2 outputs), which the multiply-adds are scaled by.
    package var denseSeconds: Double {
        let g = geometry
        let macs = Double(g.batch) * Double(g.macsPerSample)
        func padded(_ tile: Int) -> Double {
            let rows = (g.outHeight + tile - 1) / tile * tile, columns = (g.outWidth + tile - 1) / tile * tile
            return Double(rows * columns) / Double(max(g.outPixels, 1))
        }
        if Winograd4x4Conv2D.applies(to: g) { return Self.denseWinograd4x4 * macs * padded(4) }
        if WinogradConv2D.applies(to: g) { return Self.denseWinograd2x2 * macs * padded(2) }
        return Self.denseIm2col * macs
    }

    /// Additions of the event-driven passes: ones · k² · O.
    var additions: Double { Double(ones) * Double(geometry.kernelHeight * geometry.kernelWidth * geometry.outChannels) }

    /// Weights read (forward) or weight-gradient entries added (backward) per batch: N·k²·C·O.
    var weightsPerBatch: Double { Double(geometry.batch) * Double(geometry.weightShape.reduce(1, *)) }

    /// Predicted seconds of the event-driven forward pass.
    package var eventForwardSeconds: Double {
        let g = geometry
        let blocks = (g.outChannels + 63) / 64, slabs = (g.inChannels + 127) / 128
        let visits = Double(g.batch * g.outPixels * g.kernelHeight * g.kernelWidth * blocks * slabs)
        return Self.forwardAddition * additions + Self.listing * Double(g.batch * g.inChannels * g.inPixels)
            + Self.forwardWriting * Double(g.batch * g.outChannels * g.outPixels) + Self.visit * visits
            + Self.weightReading * weightsPerBatch
    }

    /// Predicted seconds of the event-driven weight gradient.
    package var eventWeightGradientSeconds: Double {
        let g = geometry
        return Self.gradientAddition * additions
            + Self.gradientTransposing * Double(g.batch * g.outChannels * g.outPixels)
            + Self.gradientRowAdding * weightsPerBatch
    }

    /// Whether the forward pass should visit the ones only.
    package var forwardPrefersEvents: Bool { prefersEvents(eventForwardSeconds) }

    /// Whether the weight gradient should sum over the ones only.
    package var weightGradientPrefersEvents: Bool { prefersEvents(eventWeightGradientSeconds) }

    func prefersEvents(_ eventSeconds: Double) -> Bool {
        guard EventConv2DKernel.applies(to: geometry) else { return false }
        switch choice {
        case .automatic: return eventSeconds < Self.margin * denseSeconds
        case .dense: return false
        case .event: return true
        }
    }
}
