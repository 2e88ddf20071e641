import STBPAutodiff
import STBPNetwork
import STBPTensor
import Testing

@Suite struct NeuNormTests {
    @Test func theLeakyAverageFollowsItsRecurrence() {
        // k = 0.5: a = [0.5·2, 0.5·1 + 0.5·4, 0.5·2.5 + 0] = [1, 2.5, 1.25].
        let a = Variable.leakyAverage(Variable(Tensor(shape: [3, 1], scalars: [2, 4, 0])), decay: 0.5)
        #expect(a.value.scalars == [1, 2.5, 1.25])
    }

    @Test func theLeakyAveragePassesItsGradientCheck() {
        var g = SeededGenerator(seed: 1)
        let weights = Tensor.normal([4, 3], using: &g)
        let reports = GradientCheck.check(inputs: [Tensor.normal([4, 3], using: &g)]) { v in
            (Variable.leakyAverage(v[0], decay: 0.7) * Variable(weights)).sum()
        }
        #expect(reports.allSatisfy { $0.worstError < 2e-3 }, "\(reports)")
    }

    @Test(arguments: [LoopOrder.layer, .time])
    func theLayerPassesItsGradientCheck(order: LoopOrder) {
        // NeuNorm is smooth in its input and in α, β: compare the tape's gradients of the layer
        // itself with central differences.
        var g = SeededGenerator(seed: 2)
        let input = Tensor.uniform([3, 2, 4, 2, 3], using: &g)  // [T, N, F, H, W]
        let projection = Tensor.normal([3, 2, 4, 2, 3], using: &g)
        let layer = NeuNorm(shape: [4, 2, 3], decay: 0.8)
        layer.weight.value = Tensor.uniform([4, 2, 3], low: 0.5, high: 1.5, using: &g)
        layer.bias.value = Tensor.normal([4, 2, 3], using: &g)

        func loss(_ x: Variable, tape: Tape?) -> Variable {
            var context = ForwardContext(
                tape: tape, isTraining: false, timeSteps: 3, generator: SeededGenerator(seed: 0))
            let y: Variable
            switch order {
            case .layer:
                y = layer.forward(TimeSeries(steps: x), context: &context).value
            case .time:
                var state = LayerState()
                y = Variable.stacked((0..<3).map { layer.step(x[$0], state: &state, context: &context) })
            }
            return (y * Variable(projection)).sum()
        }
        let tape = Tape()
        let x = tape.variable(input)
        let analyticInput = tape.backward(loss(x, tape: tape))[x]
        let analytic = [analyticInput, layer.weight.gradient!, layer.bias.gradient!]

        var movedInput = input
        func numeric(_ perturb: (Float) -> Void) -> Float {
            let step: Float = 1e-2
            perturb(step)
            let up = loss(Variable(movedInput), tape: nil).value.scalar
            perturb(-2 * step)
            let down = loss(Variable(movedInput), tape: nil).value.scalar
            perturb(step)
            return (up - down) / (2 * step)
        }
        for (which, count) in [(0, input.count), (1, 24), (2, 24)] {
            for index in 0..<count {
                let estimate: Float
                switch which {
                case 0: estimate = numeric { movedInput[flat: index] += $0 }
                case 1: estimate = numeric { layer.weight.value[flat: index] += $0 }
                default: estimate = numeric { layer.bias.value[flat: index] += $0 }
                }
                let error = abs(analytic[which][flat: index] - estimate) / max(1, abs(estimate))
                #expect(error < 2e-3, "tensor \(which) scalar \(index)")
            }
        }
    }
}
