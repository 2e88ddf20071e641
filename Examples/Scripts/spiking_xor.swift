// A Swift script that uses swift-stbp: compose a small spiking network from layers, train it
// with STBP on the tape for a few hundred steps, and print its loss falling.
//
//     Scripts/run-script.sh Examples/Scripts/spiking_xor.swift
import STBP

// Four points of XOR, each fed as a constant current for T = 8 steps; the class is the XOR.
let inputs = Tensor(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1])
let labels = [0, 1, 1, 0]

// The same network as the spec "32FC-Voting" with two classes: 32 neurons, then 2 x 10 voters.
let neuron = LIF(decay: 0.5, threshold: 0.3)
let network = try Network(inputShape: [2], seed: 1) {
    Dense(2, 32)
    neuron
    Dense(32, 20)
    neuron
    Voting(classes: 2, votes: 10)
}
let optimizer = Adam(learningRate: 0.02)
var generator = SeededGenerator(seed: 0)
let options = ForwardOptions(timeSteps: 8, isTraining: true)

for step in 0...300 {
    let result = network.lossAndGradients(inputs, labels: labels, options: options, generator: &generator)
    optimizer.step(network.namedParameters)
    if step % 50 == 0 {
        let predictions = result.output.readout.value.argmaxRows()
        print("step \(step)  loss \(result.loss)  predictions \(predictions)")
    }
}
