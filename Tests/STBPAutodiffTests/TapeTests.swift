import STBPAutodiff
import STBPTensor
import Testing

@Suite struct TapeTests {
    @Test func aValueUsedTwiceSumsItsGradients() {
        let tape = Tape()
        let x = tape.variable(Tensor([1, 2, 3]))
        let y = (x * x + x * 2).sum()  // dy/dx = 2x + 2
        let gradients = tape.backward(y)
        #expect(gradients[x].scalars == [4, 6, 8])
    }

    @Test func parametersReceiveTheirGradientWhenBackwardEnds() {
        let weight = Parameter(Tensor([2, -1]))
        let unused = Parameter(Tensor([5]))
        unused.gradient = Tensor([123])
        for _ in 0..<2 {
            let tape = Tape()
            let w = tape.watch(weight)
            _ = tape.watch(unused)
            let loss = (w * Variable(Tensor([3, 4]))).sum()
            tape.backward(loss)
            // Assigned, not accumulated: the second step sees the same gradient as the first.
            #expect(weight.gradient?.scalars == [3, 4])
            #expect(unused.gradient?.scalars == [0])
        }
    }

    @Test func watchingTwiceGivesOneVariable() {
        let weight = Parameter(Tensor([1]))
        let tape = Tape()
        let a = tape.watch(weight), b = tape.watch(weight)
        tape.backward((a * b).sum())
        #expect(weight.gradient?.scalars == [2])
    }

    @Test func operationsOnConstantsAreNotRecorded() {
        let tape = Tape()
        let x = Variable(Tensor([1, 2]))
        let y = x * x + 1
        #expect(!y.isRecorded)
        #expect(tape.recordCount == 0)
    }

    @Test func aCustomOperationUsesItsHandWrittenPullback() {
        // A straight-through step: forward 1[x > 0], backward passes the gradient unchanged.
        func step(_ x: Variable) -> Variable {
            Variable.record(x.value.map { $0 > 0 ? 1 : 0 }, inputs: [x]) { g in [g] }
        }
        let tape = Tape()
        let x = tape.variable(Tensor([-1, 2]))
        let y = step(x)
        #expect(y.value.scalars == [0, 1])
        let gradients = tape.backward((y * Variable(Tensor([5, 7]))).sum())
        #expect(gradients[x].scalars == [5, 7])
    }

    @Test func anExplicitSeedStartsTheBackwardPass() {
        let tape = Tape()
        let x = tape.variable(Tensor([1, 2]))
        let gradients = tape.backward(x * 3, seed: Tensor([1, 10]))
        #expect(gradients[x].scalars == [3, 30])
    }

    @Test func shapeMismatchesStopWithBothShapes() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Variable(Tensor(zeros: [2, 3])) + Variable(Tensor(zeros: [4]))
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("[2, 3]") && message.contains("[4]"))
        }
    }
}
