import STBPData
import Testing

@Suite struct DataErrorTests {
    @Test func theDescriptionNamesTheFileTheOffsetAndTheExpectation() {
        let error = DataError(.badHeader, path: "a/b.idx", offset: 4, "expected 2 dimensions, found 3")
        #expect(error.description == "a/b.idx: byte 4: expected 2 dimensions, found 3")
        #expect(DataError(.empty, path: "x", "no events").description == "x: no events")
    }
}
