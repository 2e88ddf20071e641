import STBPTensor

/// Deterministic seeds and draws for shuffling and augmentation, independent of the standard
/// library's algorithms (which may change between Swift versions).
enum SeedMixing {
    /// A 64-bit hash of `words` (SplitMix64 finaliser chained over the words).
    static func mix(_ words: UInt64...) -> UInt64 {
        var state: UInt64 = 0x243F_6A88_85A3_08D3
        for word in words {
            state ^= word
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            state = z ^ (z >> 31)
        }
        return state
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject method, unbiased).
    static func uniform(below bound: Int, using generator: inout SeededGenerator) -> Int {
        precondition(bound > 0, "A uniform draw needs a positive bound, got \(bound).")
        let limit = UInt64(bound)
        var product = generator.next().multipliedFullWidth(by: limit)
        if product.low < limit {
            let threshold = (0 &- limit) % limit
            while product.low < threshold { product = generator.next().multipliedFullWidth(by: limit) }
        }
        return Int(product.high)
    }

    /// A random permutation of `0..<count` (Fisher-Yates) drawn from `generator`.
    static func permutation(_ count: Int, using generator: inout SeededGenerator) -> [Int] {
        var order = Array(0..<count)
        var i = count - 1
        while i > 0 {
            order.swapAt(i, uniform(below: i + 1, using: &generator))
            i -= 1
        }
        return order
    }
}
