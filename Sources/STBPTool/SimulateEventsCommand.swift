import ArgumentParser
import Foundation
import STBP

struct SimulateEventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate-events",
        abstract: "Turn an MNIST-format folder into N-MNIST-style event recordings with a simulated event camera.",
        discussion: """
            Each image is centred on the 34x34 sensor and moved along N-MNIST's three saccades (a triangle of \
            2-pixel shifts, --saccade-length each); a pixel emits an ON or OFF event each time its log intensity \
            ln(black level + I) moves a contrast threshold away from its last event's. Recordings are written as \
            <output>/Train/<digit>/<index>.bin and Test/<digit>/<index>.bin in the N-MNIST format, which \
            `stbp train --dataset nmnist --data <output>` reads. A stand-in for N-MNIST, not the real data set: \
            Docs/EventSimulator.md.
            """)

    @Option(help: "The MNIST-format folder (train-/t10k-images-idx3-ubyte and labels, plain or .gz).")
    var from: String

    @Option(help: "The folder to write Train/ and Test/ into.")
    var output: String

    @Flag(help: "Replace the Train/ and Test/ folders (and frame cache) of a data set already in --output.")
    var overwrite = false

    @Option(help: "Simulate at most this many training images (the first, after --train-per-class).")
    var trainLimit: Int?

    @Option(help: "Simulate at most this many test images (the first, after --test-per-class).")
    var testLimit: Int?

    @Option(help: "Simulate at most this many training images per digit.")
    var trainPerClass: Int?

    @Option(help: "Simulate at most this many test images per digit.")
    var testPerClass: Int?

    @Option(help: "Mean contrast threshold C in log intensity.")
    var contrastThreshold: Float = 0.25

    @Option(help: "Standard deviation of the per-pixel thresholds around C.")
    var thresholdMismatch: Float = 0.03

    @Option(help: "Refractory period after each event, in microseconds.")
    var refractoryPeriod: Int = 1000

    @Option(help: "Standard deviation of the timestamp noise, in microseconds.")
    var timestampJitter: Float = 0

    @Option(help: "Simulation time step, in microseconds.")
    var timeStep: Int = 100

    @Option(help: "Intensity of a black pixel: log intensity is ln(black level + I), I in [0, 1].")
    var blackLevel: Float = 0.1

    @Option(help: "Duration of each of the three saccades, in microseconds.")
    var saccadeLength: Int = 100_000

    @Option(help: "The seed of threshold mismatch and jitter.")
    var seed: UInt64 = 0

    @Option(help: "Also write the first recordings binned into frames as an SVG picture to this file.")
    var preview: String?

    func validate() throws {
        try ArgumentCheck.count("--train-limit", trainLimit)
        try ArgumentCheck.count("--test-limit", testLimit)
        try ArgumentCheck.count("--train-per-class", trainPerClass)
        try ArgumentCheck.count("--test-per-class", testPerClass)
        try ArgumentCheck.number("--contrast-threshold", contrastThreshold, EventCameraOptions.minimumThreshold...10)
        try ArgumentCheck.number("--threshold-mismatch", thresholdMismatch, 0...10)
        try ArgumentCheck.count("--saccade-length", saccadeLength, 1000...2_000_000)
        try ArgumentCheck.count("--refractory-period", refractoryPeriod, 0...saccadeLength)
        try ArgumentCheck.number("--timestamp-jitter", timestampJitter, 0...Float(saccadeLength))
        try ArgumentCheck.count("--time-step", timeStep, 1...saccadeLength)
        try ArgumentCheck.number("--black-level", blackLevel, 0.001...10)
    }

    func run() throws {
        let root = URL(fileURLWithPath: output)
        if SimulatedNMNIST.holdsDataSet(root) {
            guard overwrite else {
                throw ValidationError(
                    "--output \(output) already holds a data set (Train/ or Test/); add --overwrite to replace it.")
            }
            for name in ["Train", "Test", ".stbp-cache"] {
                let url = root.appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
            }
        }
        let options = EventCameraOptions(
            contrastThreshold: contrastThreshold, thresholdMismatch: thresholdMismatch,
            refractoryPeriod: Int64(refractoryPeriod), timestampJitter: timestampJitter, timeStep: Int64(timeStep),
            blackLevel: blackLevel)
        let simulator = EventCameraSimulator(options: options, saccades: .nmnist(saccadeLength: Int64(saccadeLength)))
        let source = URL(fileURLWithPath: from)
        var previews: [(name: String, recording: EventRecording)] = []
        let started = Date()
        var total = 0
        for (split, limit, perClass, limitFlag) in [
            (NMNIST.Split.train, trainLimit, trainPerClass, "--train-limit"),
            (NMNIST.Split.test, testLimit, testPerClass, "--test-limit"),
        ] {
            let images = try MNIST.load(folder: source, split: split == .train ? .train : .test)
            let indices = SimulatedNMNIST.selection(labels: images.labels, limit: limit, perClass: perClass)
            let digits = Set(indices.map { images.labels[$0] })
            if let missing = (0..<10).first(where: { !digits.contains($0) }) {
                throw ValidationError(
                    "\(limitFlag) leaves digit \(missing) without \(split.rawValue) recordings; the N-MNIST reader needs every digit."
                )
            }
            let counts = try SimulatedNMNIST.write(
                images, indices: indices, split: split, to: root, simulator: simulator, seed: seed)
            total += counts.count
            let mean = Double(counts.reduce(0, +)) / Double(counts.count)
            print(
                "\(split.rawValue): \(counts.count) recordings, events per recording mean \(String(format: "%.0f", mean)) "
                    + "(min \(counts.min()!), max \(counts.max()!))")
            if preview != nil && split == .train {
                previews = try indices.prefix(3).map { index in
                    let file = SimulatedNMNIST.folder(root, split).appendingPathComponent(String(images.labels[index]))
                        .appendingPathComponent(String(format: "%05d.bin", index))
                    return ("digit \(images.labels[index])", try NMNISTFormat.read(file))
                }
            }
        }
        let seconds = Date().timeIntervalSince(started)
        print(
            "wrote \(total) recordings to \(output) in \(String(format: "%.1f", seconds)) s "
                + "(\(String(format: "%.1f", Double(total) / max(seconds, 1e-9))) recordings/s)")
        if let preview {
            let svg = SVGPlot.eventFrames(
                title: "Simulated N-MNIST recordings in 6 time bins", recordings: previews, bins: 6,
                duration: simulator.saccades.duration)
            try AtomicFile.write(Data(svg.utf8), to: URL(fileURLWithPath: preview))
            print("wrote \(preview)")
        }
    }
}
