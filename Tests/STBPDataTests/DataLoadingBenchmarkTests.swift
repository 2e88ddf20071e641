import STBPData
import Testing

@Suite struct DataLoadingBenchmarkTests {
    @Test func aTinyRunReportsPositiveRates() throws {
        let report = try DataLoadingBenchmark.run(
            eventSamples: 20, eventsPerSample: 200, frames: 4, imageSamples: 40, batchSize: 8)
        #expect(report.eventSamples == 20 && report.imageSamples == 40)
        #expect(report.eventColdSamplesPerSecond > 0 && report.eventCachedSamplesPerSecond > 0)
        #expect(report.eventCacheFillSamplesPerSecond > 0 && report.imageAugmentedSamplesPerSecond > 0)
        #expect(report.description.contains("from the frame cache"))
    }
}
