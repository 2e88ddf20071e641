import STBPTensor
import Testing

@Suite struct TensorTests {
    @Test func aTensorHoldsItsScalarsInRowMajorOrder() {
        let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.count == 6 && t.rank == 2)
        #expect(t[1, 0] == 4)
        #expect(t[1].scalars == [4, 5, 6])
    }

    @Test func copiesShareStorageUntilOneIsWritten() {
        let a = Tensor(shape: [3], repeating: 1)
        var b = a
        b[0] = 7
        #expect(a.scalars == [1, 1, 1])
        #expect(b.scalars == [7, 1, 1])
    }

    @Test func reshapeInfersOneExtentAndKeepsTheScalars() {
        let t = Tensor(shape: [2, 3, 4], repeating: 2).reshaped([4, -1])
        #expect(t.shape == [4, 6])
        #expect(t.sum() == 48)
    }

    @Test func stackingAndSlicingAreInverse() {
        let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        let b = Tensor(shape: [2, 2], scalars: [5, 6, 7, 8])
        let s = Tensor.stacked([a, b])
        #expect(s.shape == [2, 2, 2])
        #expect(s[1] == b)
        #expect(s.slice(1..<2).reshaped([2, 2]) == b)
        #expect(Tensor.concatenated([a, b]).shape == [4, 2])
    }

    @Test func reductionsAndArgmax() {
        let t = Tensor(shape: [2, 3], scalars: [1, 5, 2, 9, 0, 9])
        #expect(t.sum() == 26)
        #expect(t.sum(alongAxis: 0).scalars == [10, 5, 11])
        #expect(t.mean(alongAxis: 1).scalars == [8 / 3, 6])
        #expect(t.argmaxRows() == [1, 0])
        #expect(t.max() == 9 && t.min() == 0)
    }

    @Test func broadcastingAlignsTrailingAxes() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let row = Tensor([10, 20, 30])
        let column = Tensor(shape: [2, 1], scalars: [100, 200])
        #expect((a + row).scalars == [11, 22, 33, 14, 25, 36])
        #expect((a * column).scalars == [100, 200, 300, 800, 1000, 1200])
        #expect(Broadcast.shape([4, 1, 3], [2, 1]) == [4, 2, 3])
    }

    @Test func summingToAShapeIsTheAdjointOfBroadcasting() {
        let g = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(g.summed(toShape: [3]).scalars == [5, 7, 9])
        #expect(g.summed(toShape: [2, 1]).scalars == [6, 15])
        #expect(g.summed(toShape: []).scalars == [21])
    }

    @Test func relativeDifferenceIsMeasuredAgainstTheReferenceScale() {
        let a = Tensor([1, 2, 4])
        let b = Tensor([1, 2, 4.004])
        #expect(abs(b.relativeDifference(to: a) - 0.001) < 1e-5)
        #expect(a.relativeDifference(to: a) == 0)
    }
}
