/// The im2col and col2im transforms that turn a convolution into one matrix product.
///
/// For `samples` inputs [S, C, H, W] the column matrix is [C * kh * kw, S * Ho * Wo]:
/// row (c * kh + i) * kw + j, column s * Ho * Wo + oy * Wo + ox holds
/// x[s, c, oy * stride - padding + i, ox * stride - padding + j], or 0 outside the image.
///
/// Both run in parallel over the [H, W] planes; what depends only on the tap (i, j) is worked
/// out once per call (`Tap`). Inner loops index pointers offset before the loop (an index sum
/// inside the loop is overflow-checked and keeps LLVM from vectorising).
package enum Im2col {
    /// Fills `columns` ([C*kh*kw, samples*Ho*Wo]) from `input` ([samples, C, H, W]).
    package static func im2col(
        _ input: UnsafePointer<Float>, geometry g: Conv2DGeometry, samples: Int,
        into columns: UnsafeMutablePointer<Float>
    ) {
        let taps = Tap.all(g)
        let rowLength = samples * g.outPixels
        let task = UncheckedSendable((input, columns))
        parallelFor(samples * g.inChannels, grain: 4) { range in
            let (input, columns) = task.value
            taps.withUnsafeBufferPointer { taps in
                for plane in range {
                    let s = plane / g.inChannels, c = plane % g.inChannels
                    let source = input + plane * g.inPixels
                    let blocks = columns + c * taps.count * rowLength + s * g.outPixels
                    for (index, tap) in taps.enumerated() {
                        tap.copy(source, g, into: blocks + index * rowLength)
                    }
                }
            }
        }
    }

    /// Adds `columns` ([C*kh*kw, samples*Ho*Wo]) back into `input` ([samples, C, H, W]), the
    /// adjoint of `im2col`. `input` must be initialised (usually to zero).
    package static func col2im(
        _ columns: UnsafePointer<Float>, geometry g: Conv2DGeometry, samples: Int,
        addingInto input: UnsafeMutablePointer<Float>
    ) {
        col2im(UnsafeMutablePointer(mutating: columns), g, samples, input, overwrite: false, scratch: false)
    }

    /// The adjoint of `im2col`, writing `input` ([samples, C, H, W]) instead of adding to it
    /// (each plane is zeroed in cache first). `columns` is scratch: its entries for taps
    /// outside the image are set to zero, which lets each tap be added as one contiguous run.
    package static func col2im(
        scratch columns: UnsafeMutablePointer<Float>, geometry g: Conv2DGeometry, samples: Int,
        into input: UnsafeMutablePointer<Float>
    ) {
        col2im(columns, g, samples, input, overwrite: true, scratch: true)
    }

    static func col2im(
        _ columns: UnsafeMutablePointer<Float>, _ g: Conv2DGeometry, _ samples: Int,
        _ input: UnsafeMutablePointer<Float>, overwrite: Bool, scratch: Bool
    ) {
        let taps = Tap.all(g)
        let rowLength = samples * g.outPixels
        let task = UncheckedSendable((input, columns))
        parallelFor(samples * g.inChannels, grain: 4) { range in
            let (input, columns) = task.value
            taps.withUnsafeBufferPointer { taps in
                for plane in range {
                    let s = plane / g.inChannels, c = plane % g.inChannels
                    let target = input + plane * g.inPixels
                    if overwrite { fill(target, count: g.inPixels) }
                    let blocks = columns + c * taps.count * rowLength + s * g.outPixels
                    for (index, tap) in taps.enumerated() {
                        tap.add(blocks + index * rowLength, g, into: target, mayClobber: scratch)
                    }
                }
            }
        }
    }

    /// What one kernel tap (i, j) reads: output rows [firstRow, lastRow) and columns
    /// [low, high) land inside the image, at input row oy * stride - padding + i and column
    /// ox * stride - padding + j.
    struct Tap {
        let i: Int, j: Int
        let firstRow: Int, lastRow: Int
        let low: Int, high: Int

        /// The taps of `g` in column-matrix row order (i * kw + j).
        static func all(_ g: Conv2DGeometry) -> [Tap] {
            (0..<g.kernelHeight).flatMap { i in (0..<g.kernelWidth).map { j in Tap(g, i: i, j: j) } }
        }

        init(_ g: Conv2DGeometry, i: Int, j: Int) {
            self.i = i
            self.j = j
            // An input index o * stride - padding + t lies in [0, n) for o in [first, last).
            func range(_ t: Int, _ n: Int, _ outputs: Int) -> (Int, Int) {
                let first = min(outputs, max(0, (g.padding - t + g.stride - 1) / g.stride))
                let end = n - 1 + g.padding - t
                let last = end < 0 ? 0 : min(outputs, end / g.stride + 1)
                return (first, max(first, last))
            }
            (firstRow, lastRow) = range(i, g.height, g.outHeight)
            (low, high) = range(j, g.width, g.outWidth)
        }

        /// Whether the tap's block [Ho, Wo] is the input plane shifted: stride 1 and Wo = W
        /// (padding (kw - 1) / 2). It is then one contiguous run of the plane, offset by
        /// (i - p) * W + (j - p), except for the columns that fall outside the image.
        @inline(__always)
        func isShift(_ g: Conv2DGeometry) -> Bool { g.stride == 1 && g.outWidth == g.width }

        /// For an `isShift` tap: block element e is plane element e + offset, and block
        /// elements [start, end) of its valid rows stay inside the plane.
        @inline(__always)
        func shiftRun(_ g: Conv2DGeometry) -> (offset: Int, start: Int, end: Int) {
            let offset = (i - g.padding) * g.width + (j - g.padding)
            return (offset, max(firstRow * g.outWidth, -offset), min(lastRow * g.outWidth, g.inPixels - offset))
        }

        /// The tap's block of the column matrix from one input plane.
        @inline(__always)
        func copy(_ plane: UnsafePointer<Float>, _ g: Conv2DGeometry, into block: UnsafeMutablePointer<Float>) {
            let wo = g.outWidth
            fill(block, count: firstRow * wo)
            fill(block + lastRow * wo, count: (g.outHeight - lastRow) * wo)
            guard high > low && lastRow > firstRow else {
                // No input pixel under this tap (a kernel wider than the padded map's margin).
                fill(block + firstRow * wo, count: (lastRow - firstRow) * wo)
                return
            }
            if isShift(g) {
                // Copy the run that stays inside the plane; what is cut off is edge columns.
                let (offset, start, end) = shiftRun(g)
                Im2col.copy(plane + (start + offset), into: block + start, count: end - start)
                zeroEdgeColumns(block, g)
                return
            }
            for oy in firstRow..<lastRow {
                let row = block + oy * wo
                fill(row, count: low)
                let first = plane + (oy * g.stride - g.padding + i) * g.width + (low * g.stride - g.padding + j)
                gather(first, stride: g.stride, into: row + low, count: high - low)
                fill(row + high, count: wo - high)
            }
        }

        /// The adjoint of `copy`: adds the tap's block into the plane. With `mayClobber` the
        /// block's edge columns are zeroed first, so a shift tap is added as one run.
        @inline(__always)
        func add(
            _ block: UnsafeMutablePointer<Float>, _ g: Conv2DGeometry, into plane: UnsafeMutablePointer<Float>,
            mayClobber: Bool
        ) {
            guard high > low && lastRow > firstRow else { return }
            let wo = g.outWidth
            if mayClobber && isShift(g) {
                zeroEdgeColumns(block, g)
                let (offset, start, end) = shiftRun(g)
                let target = plane + (start + offset), source = block + start
                for k in 0..<(end - start) { target[k] += source[k] }
                return
            }
            for oy in firstRow..<lastRow {
                let first = plane + (oy * g.stride - g.padding + i) * g.width + (low * g.stride - g.padding + j)
                scatterAdd(block + oy * wo + low, into: first, stride: g.stride, count: high - low)
            }
        }

        /// Zeroes columns [0, low) and [high, Wo) of rows [firstRow, lastRow) of a block: one
        /// strided pass per column (a row-wise fill of one or two floats would be a memset call).
        @inline(__always)
        func zeroEdgeColumns(_ block: UnsafeMutablePointer<Float>, _ g: Conv2DGeometry) {
            let wo = g.outWidth
            @inline(__always) func zero(_ column: Int) {
                var p = block + firstRow * wo + column
                for _ in firstRow..<lastRow {
                    p.pointee = 0
                    p += wo
                }
            }
            for column in 0..<low { zero(column) }
            for column in high..<wo { zero(column) }
        }
    }

    /// destination[0..<count] = source[0..<count].
    @inline(__always)
    static func copy(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int) {
        for k in 0..<count { destination[k] = source[k] }
    }

    /// destination[0..<count] = 0.
    @inline(__always)
    static func fill(_ destination: UnsafeMutablePointer<Float>, count: Int) {
        for k in 0..<count { destination[k] = 0 }
    }

    /// destination[k] = source[k * stride] for k < count.
    @inline(__always)
    static func gather(
        _ source: UnsafePointer<Float>, stride: Int, into destination: UnsafeMutablePointer<Float>, count: Int
    ) {
        if stride == 1 {
            for k in 0..<count { destination[k] = source[k] }
        } else {
            var p = source
            for k in 0..<count {
                destination[k] = p.pointee
                p += stride
            }
        }
    }

    /// destination[k * stride] += source[k] for k < count.
    @inline(__always)
    static func scatterAdd(
        _ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, stride: Int, count: Int
    ) {
        if stride == 1 {
            for k in 0..<count { destination[k] += source[k] }
        } else {
            var p = destination
            for k in 0..<count {
                p.pointee += source[k]
                p += stride
            }
        }
    }
}
