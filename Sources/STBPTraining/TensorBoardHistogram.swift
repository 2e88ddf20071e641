/// A set of values as TensorBoard's histogram dashboard reads it (a `HistogramProto`): their
/// minimum, maximum, count, sum and sum of squares, and the counts of equal-width buckets
/// between the minimum and the maximum.
///
/// Bucket i holds the values in (bucketLimits[i - 1], bucketLimits[i]], the first from the
/// minimum on (included) and the last ending at the maximum: TensorBoard takes each bucket's left
/// edge from the limit before it, or from `min` for the first. Values that are all equal make
/// one bucket. Non-finite values are left out, counts included.
struct TensorBoardHistogram: Equatable {
    /// The smallest value (0 when there are none).
    var min: Double
    /// The largest value (0 when there are none).
    var max: Double
    /// The number of values.
    var count: Double
    /// Their sum.
    var sum: Double
    /// The sum of their squares.
    var sumOfSquares: Double
    /// Each bucket's right edge; the last is `max`.
    var bucketLimits: [Double]
    /// The number of values in each bucket.
    var bucketCounts: [Double]

    /// The buckets of a histogram unless asked otherwise: 30, as TensorBoard's own histogram summary.
    static let defaultBucketCount = 30

    /// The histogram of `values` in `buckets` buckets (at least 1).
    init(_ values: some Collection<Float>, buckets: Int = defaultBucketCount) {
        var (low, high, count, sum, squares) = (Double.infinity, -Double.infinity, 0, 0.0, 0.0)
        for value in values where value.isFinite {
            let value = Double(value)
            low = Swift.min(low, value)
            high = Swift.max(high, value)
            count += 1
            sum += value
            squares += value * value
        }
        guard count > 0 else {
            (min, max, self.count, self.sum, sumOfSquares, bucketLimits, bucketCounts) = (0, 0, 0, 0, 0, [], [])
            return
        }
        (min, max, self.count, self.sum, sumOfSquares) = (low, high, Double(count), sum, squares)
        let buckets = high > low ? Swift.max(1, buckets) : 1
        let width = (high - low) / Double(buckets)
        bucketLimits = (1...buckets).map { $0 == buckets ? high : low + Double($0) * width }
        bucketCounts = Array(repeating: 0, count: buckets)
        for value in values where value.isFinite {
            let position = buckets == 1 ? 0 : Int(((Double(value) - low) / width).rounded(.up)) - 1
            bucketCounts[Swift.min(Swift.max(position, 0), buckets - 1)] += 1
        }
    }
}
