import CSTBPKernels

/// A tensor of spikes (each +0 or 1) stored as bits, 32 times smaller than its Float32 form:
/// what a layer fed by spikes keeps between its forward and its backward pass.
///
/// Bit i % 64 of word i / 64 is scalar i of the row-major tensor; `tensor` gives back the same
/// scalars bit for bit.
package struct SpikeBits: Sendable {
    /// The shape of the tensor the bits stand for.
    package let shape: [Int]
    /// The number of ones.
    package let count: Int
    /// The bits, 64 scalars a word.
    package let words: [UInt64]

    /// Packs `tensor`; nil when a scalar is neither +0 nor 1 (-0 and NaN included).
    package init?(_ tensor: Tensor) {
        let n = tensor.count, wordCount = (n + 63) / 64
        // Blocks of whole words, packed in parallel; a block's count is -1 if it is not binary.
        let grain = 1 << 14  // words per block: 2^20 scalars
        let blocks = (wordCount + grain - 1) / grain
        var counts = [Int](repeating: 0, count: blocks)
        let words = [UInt64](unsafeUninitializedCapacity: wordCount) { buffer, initialized in
            tensor.withUnsafeBufferPointer { x in
                counts.withUnsafeMutableBufferPointer { counts in
                    let task = UncheckedSendable((x.baseAddress!, buffer.baseAddress!, counts.baseAddress!))
                    parallelFor(blocks) { range in
                        let (x, words, counts) = task.value
                        for block in range {
                            let first = block * grain * 64, scalars = min(grain * 64, n - first)
                            counts[block] = stbp_pack_spikes(x + first, scalars, words + block * grain)
                        }
                    }
                }
            }
            initialized = wordCount
        }
        guard !counts.contains(-1) else { return nil }
        self.shape = tensor.shape
        self.count = counts.reduce(0, +)
        self.words = words
    }

    /// The bytes the bits take.
    package var byteCount: Int { words.count * MemoryLayout<UInt64>.stride }

    /// The spikes as Float32, the same scalars as the tensor packed.
    package var tensor: Tensor {
        let n = shape.reduce(1, *)
        return Tensor(shape: shape) { out in
            words.withUnsafeBufferPointer { bits in
                let task = UncheckedSendable((bits.baseAddress!, out.baseAddress!))
                parallelFor(n, grain: 1 << 16) { range in
                    let (bits, out) = task.value
                    stbp_unpack_spikes(bits, range.lowerBound, range.count, out + range.lowerBound)
                }
            }
        }
    }
}
