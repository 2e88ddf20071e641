import CSTBPKernels

/// 2-D convolution of binary spikes that visits only the ones (`EventConv2D.c`), NCHW, square
/// kernels: the forward pass adds, for each output pixel, the weight rows of the spikes in its
/// window, and the weight gradient sums dL/dy over the ones only. `SpikeConvolution` picks this
/// path or the dense one (`Conv2DKernel`) from the density (`EventConv2DCost`); dL/dx stays dense.
///
/// Work: the forward pass and the weight gradient are each about nnz · k² · O additions (nnz
/// ones in the input) against N · O · Ho · Wo · C · k² multiply-adds of the dense pass.
package enum EventConv2DKernel {
    /// Whether the event-driven kernels take this geometry: a square kernel, maps below 65536
    /// on a side, at most 2^31 entries per sample.
    package static func applies(to g: Conv2DGeometry) -> Bool {
        g.kernelHeight == g.kernelWidth && g.height < 1 << 16 && g.width < 1 << 16
            && g.inChannels * g.inPixels < Int(Int32.max) && g.batch >= 1
    }

    /// `scalars` [a, b, c] with its first and last axes swapped: [c, b, a]. The weight
    /// [O, C, k·k] becomes [k·k, C, O] (the O weights of one tap and input channel in a row),
    /// and a weight gradient [k·k, C, O] goes back to [O, C, k·k].
    static func swappingOuterAxes(_ scalars: UnsafePointer<Float>, _ a: Int, _ b: Int, _ c: Int) -> Tensor {
        Tensor(shape: [c, b, a]) { out in
            for i in 0..<a {
                for j in 0..<b {
                    for k in 0..<c { out[(k * b + j) * a + i] = scalars[(i * b + j) * c + k] }
                }
            }
        }
    }

    /// y = conv2d(x, w) + b for spikes x [N, C, H, W] (each 0 or 1), weight [O, C, k, k], bias
    /// [O] -> [N, O, Ho, Wo]. Each output sums its bias, then its window's ones tap by tap,
    /// channels ascending (`stbp_event_conv2d_forward`).
    package static func forward(
        spikes input: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0
    ) -> Tensor {
        let g = Conv2DGeometry(inputShape: input.shape, weightShape: weight.shape, stride: stride, padding: padding)
        precondition(applies(to: g), "The event-driven convolution does not take \(g).")
        if let bias {
            precondition(bias.shape == [g.outChannels], "conv2d bias must be [\(g.outChannels)], got \(bias.shape).")
        }
        let wt = weight.withUnsafeBufferPointer {
            swappingOuterAxes($0.baseAddress!, g.outChannels, g.inChannels, g.kernelHeight * g.kernelWidth)
        }
        let workers = chunkWorkers(g.batch)
        // Per worker: pixelStart [P + 1], cursor [P] and pixelChannels [C·P]; sums [P', 64].
        let listSize = 2 * g.inPixels + 1 + g.inChannels * g.inPixels
        let sumSize = g.outPixels * Int(STBP_EVENT_BLOCK)
        let lists = UnsafeMutablePointer<Int32>.allocate(capacity: workers * listSize)
        let sums = ScratchBuffer(workers * sumSize)
        defer {
            lists.deallocate()
            sums.release()
        }
        return Tensor(shape: g.outputShape) { out in
            input.withUnsafeBufferPointer { x in
                wt.withUnsafeBufferPointer { wt in
                    Conv2DKernel.withOptionalBuffer(bias) { b in
                        forEachChunk(workers: workers, g.batch) { worker, sample in
                            let start = lists + worker * listSize, cursor = start + g.inPixels + 1
                            let channels = cursor + g.inPixels
                            stbp_spike_lists_by_pixel(
                                x.baseAddress! + sample * g.inChannels * g.inPixels, g.inChannels, g.inPixels, start,
                                channels)
                            stbp_event_conv2d_forward(
                                start, channels, g.inChannels, g.height, g.width, wt.baseAddress!, g.outChannels,
                                g.kernelHeight, g.stride, g.padding, b,
                                out.baseAddress! + sample * g.outChannels * g.outPixels, g.outHeight, g.outWidth,
                                sums.pointer + worker * sumSize, cursor)
                        }
                    }
                }
            }
        }
    }

    /// dL/dw [O, C, k, k] of a convolution of `spikes` [N, C, H, W], given dL/dy [N, O, Ho, Wo],
    /// summed over the ones only (`stbp_event_conv2d_weight_gradient`), per worker then in
    /// worker order.
    package static func weightGradient(
        gradOutput: Tensor, spikes: SpikeBits, weightShape: [Int], stride: Int = 1, padding: Int = 0
    ) -> Tensor {
        let g = Conv2DGeometry(inputShape: spikes.shape, weightShape: weightShape, stride: stride, padding: padding)
        precondition(applies(to: g), "The event-driven convolution does not take \(g).")
        precondition(
            gradOutput.shape == g.outputShape,
            "conv2d gradient must be \(g.outputShape) for input \(spikes.shape), got \(gradOutput.shape).")
        let taps = g.kernelHeight * g.kernelWidth
        let workers = chunkWorkers(g.batch)
        let sums = WorkerSums(workers: workers, size: taps * g.inChannels * g.outChannels)
        // Per worker: channelStart [C + 1], channelCoordinates [C·P] (Int32), and dL/dy of one
        // sample channels-last [P', O] (Float).
        let listSize = g.inChannels + 1 + g.inChannels * g.inPixels, gradientSize = g.outPixels * g.outChannels
        let lists = UnsafeMutablePointer<Int32>.allocate(capacity: workers * listSize)
        let channelsLast = ScratchBuffer(workers * gradientSize)
        defer {
            lists.deallocate()
            channelsLast.release()
            sums.release()
        }
        spikes.words.withUnsafeBufferPointer { bits in
            gradOutput.withUnsafeBufferPointer { dy in
                forEachChunk(workers: workers, g.batch) { worker, sample in
                    let start = lists + worker * listSize, coordinates = start + g.inChannels + 1
                    let count = stbp_spike_lists_by_channel(
                        bits.baseAddress!, sample * g.inChannels * g.inPixels, g.inChannels, g.height, g.width, start,
                        coordinates)
                    guard count > 0 else { return }
                    let gradient = channelsLast.pointer + worker * gradientSize
                    transpose(
                        dy.baseAddress! + sample * gradientSize, rows: g.outChannels, columns: g.outPixels,
                        into: gradient)
                    stbp_event_conv2d_weight_gradient(
                        start, coordinates, g.inChannels, gradient, g.outChannels, g.kernelHeight, g.stride, g.padding,
                        g.outHeight, g.outWidth, sums.of(worker))
                }
            }
        }
        // [k·k, C, O] -> [O, C, k, k]
        let gradWeight = Tensor(shape: [taps * g.inChannels * g.outChannels]) { sums.total(into: $0.baseAddress!) }
        return gradWeight.withUnsafeBufferPointer {
            swappingOuterAxes($0.baseAddress!, taps, g.inChannels, g.outChannels).reshaped(g.weightShape)
        }
    }

    /// target [columns, rows] = source [rows, columns]ᵀ, in tiles of 16 x 16.
    static func transpose(
        _ source: UnsafePointer<Float>, rows: Int, columns: Int, into target: UnsafeMutablePointer<Float>
    ) {
        let tile = 16
        for r0 in stride(from: 0, to: rows, by: tile) {
            for c0 in stride(from: 0, to: columns, by: tile) {
                for r in r0..<min(r0 + tile, rows) {
                    for c in c0..<min(c0 + tile, columns) { target[c * rows + r] = source[r * columns + c] }
                }
            }
        }
    }
}
