import STBPTensor
import STBPTraining
import Testing

/// `stbp bench --density-sweep` on a tiny convolution: a row per density with every pass timed,
/// and the cost model's choice at each.
@Suite struct DensitySweepTests {
    @Test func everyDensityGetsARowWithEveryPassTimed() {
        let layer = DensitySweep.Layer(
            name: "tiny",
            geometry: Conv2DGeometry(inputShape: [2, 3, 5, 5], weightShape: [4, 3, 3, 3], stride: 1, padding: 1))
        let rows = DensitySweep.run(layers: [layer], densities: [0, 0.5], repeats: 1)
        #expect(rows.map(\.density) == [0, 0.5])
        for row in rows {
            #expect(row.layer == "tiny")
            let times = [row.denseForward, row.eventForward, row.denseWeightGradient, row.eventWeightGradient]
            #expect((times + [row.inputGradient]).allSatisfy { $0 > 0 && $0.isFinite })
            #expect(["event", "dense"].contains(row.forwardChoice))
            #expect(["event", "dense"].contains(row.weightGradientChoice))
        }
        let table = DensitySweep.table(rows).split(separator: "\n")
        #expect(table.count == 4 && table[2].hasPrefix("| tiny | 0% |") && table[3].hasPrefix("| tiny | 50% |"))
    }
}
