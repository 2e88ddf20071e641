import STBPAutodiff
import STBPTensor
import Testing

/// `Tape.onParameterGradient` reports each parameter once, with its final gradient, as soon as
/// no record still to run reads it: the last layer's before the first layer's.
@Suite struct GradientReadyHookTests {
    @Test func eachParameterIsReportedOnceWithItsFinalGradientAsSoonAsItIsDone() {
        // y = sum(relu(x W1^T) W2^T) + sum(W2) (W2 read twice), an unused parameter U.
        let w1 = Parameter(Tensor(shape: [3, 2], scalars: [0.5, -1, 2, 0.25, -0.5, 1]))
        let w2 = Parameter(Tensor(shape: [2, 3], scalars: [1, 2, -1, 0.5, 0.5, 3]))
        let unused = Parameter(Tensor([7]))
        let tape = Tape()
        var reports: [(Parameter, Tensor, recordsLeft: Bool)] = []
        tape.onParameterGradient = { parameter, gradient in
            reports.append((parameter, gradient, parameter.gradient == nil))
        }
        let x = Variable(Tensor(shape: [4, 2], scalars: [1, 2, -1, 0.5, 3, -2, 0, 1]))
        let hidden = Variable.dense(x, weight: tape.watch(w1), bias: nil).relu()
        let second = tape.watch(w2)
        _ = tape.watch(unused)
        let y = Variable.dense(hidden, weight: second, bias: nil).sum() + second.sum()
        tape.backward(y)
        #expect(reports.map { ObjectIdentifier($0.0) } == [w2, w1, unused].map { ObjectIdentifier($0) })
        for (parameter, gradient, beforeTheEnd) in reports {
            #expect(gradient.scalars == parameter.gradient?.scalars)
            // Reported while backward ran (gradients are assigned when it ends), but for the
            // unused parameter, which is final only at the end.
            #expect(beforeTheEnd == (parameter !== unused))
        }
        #expect(reports.last?.1.scalars == [0])
    }
}
