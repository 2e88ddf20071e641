/// Which neurons of a layer a plot shows, when it cannot show them all.
enum NeuronSample {
    /// Up to `limit` neuron indices, ascending, spread over the range of the neurons' spike
    /// counts: silent neurons and the busiest ones are both shown, and the rest in proportion.
    ///
    /// The neurons are grouped by spike count. When there are at least `limit` distinct counts,
    /// `limit` of them are taken evenly from the lowest to the highest, one neuron each.
    /// Otherwise every count gets one neuron, and the remaining places go one at a time to the
    /// count with the most neurons per place so far (so a count shared by 90% of the layer gets
    /// about 90% of the places). Within a count the neurons are taken evenly in index order,
    /// so the rows span the layer.
    /// All neurons are returned when there are at most `limit`.
    static func spread(counts: [Int], limit: Int) -> [Int] {
        guard counts.count > limit else { return Array(counts.indices) }
        guard limit > 0 else { return [] }
        var members: [Int: [Int]] = [:]
        for (neuron, count) in counts.enumerated() { members[count, default: []].append(neuron) }
        let levels = members.keys.sorted().map { members[$0]! }
        var places = Array(repeating: 0, count: levels.count)
        if levels.count >= limit {
            for k in 0..<limit {
                let level = limit == 1 ? 0 : Int((Double(k) * Double(levels.count - 1) / Double(limit - 1)).rounded())
                places[level] = 1
            }
        } else {
            places = Array(repeating: 1, count: levels.count)
            for _ in levels.count..<limit {
                let next = levels.indices.filter { places[$0] < levels[$0].count }.max {
                    Double(levels[$0].count) / Double(places[$0] + 1) < Double(levels[$1].count)
                        / Double(places[$1] + 1)
                }
                guard let next else { break }
                places[next] += 1
            }
        }
        var picks: [Int] = []
        for (rank, (level, taken)) in zip(levels, places).enumerated() where taken > 0 {
            // Evenly in index order, from an offset that differs from count to count, so that
            // counts with one place each do not all give the neuron in the middle of the layer.
            let offset = (Double(rank) * 0.618_034).truncatingRemainder(dividingBy: 1)
            for i in 0..<taken { picks.append(level[Int((Double(i) + offset) / Double(taken) * Double(level.count))]) }
        }
        return picks.sorted()
    }
}
