// Writes the seed corpus of the fuzz targets (run by Fuzz/make-corpus.sh, which adds the
// checkpoints written by `stbp train`):
//
//     Scripts/run-script.sh Fuzz/MakeCorpus.swift <repository root> <corpus folder> [<N-MNIST folder>]
//
// With a third argument it also writes a tiny synthetic N-MNIST data set there, for the
// checkpoints that make-corpus.sh trains.
// Seeds are small slices of real files (MNIST and scikit-learn digits as IDX, CIFAR-10 test
// records from ../shared/data when present, the safetensors fixtures of the tests), recordings
// from the package's synthetic N-MNIST and AEDAT 2.0 writers, and the paper's network specs.
import Foundation
import STBP

let arguments = CommandLine.arguments
guard arguments.count == 3 || arguments.count == 4 else {
    print("usage: MakeCorpus.swift <repository root> <corpus folder> [<N-MNIST folder>]")
    exit(2)
}
let root = URL(fileURLWithPath: arguments[1])
let corpus = URL(fileURLWithPath: arguments[2])
let shared = root.deletingLastPathComponent().appendingPathComponent("shared/data")
let hasShared = FileManager.default.fileExists(atPath: shared.path)

/// Writes one seed file `name` of `target`.
func seed(_ target: String, _ name: String, _ bytes: [UInt8]) throws {
    let folder = corpus.appendingPathComponent(target)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try Data(bytes).write(to: folder.appendingPathComponent(name))
}

/// The bytes of the file at `path` (relative to `base`).
func bytes(_ base: URL, _ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: base.appendingPathComponent(path)))
}

/// The first `count` items of an IDX array (along its first dimension).
func prefix(_ array: IDXArray, _ count: Int) -> IDXArray {
    let itemSize = array.dimensions.dropFirst().reduce(1, *)
    return IDXArray(
        dimensions: [count] + array.dimensions.dropFirst(), bytes: Array(array.bytes.prefix(count * itemSize)))
}

// IDX: the real (small) MNIST label file as it is, and slices of real images and labels, plain
// and gzip-compressed; FuzzIDXGzip compresses its input itself, so it gets the plain ones.
let mnist = root.appendingPathComponent("Examples/Data/mnist-subset")
try seed("FuzzIDX", "mnist-subset-t10k-labels-idx1-ubyte.gz", try bytes(mnist, "t10k-labels-idx1-ubyte.gz"))
let images = try IDXArray(contentsOf: mnist.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
let labels = try IDXArray(contentsOf: mnist.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
var plainIDX: [(String, [UInt8])] = [
    ("mnist-2-images-idx3-ubyte", prefix(images, 2).encoded()),
    ("mnist-16-labels-idx1-ubyte", prefix(labels, 16).encoded()),
]
if hasShared {
    let digits = shared.appendingPathComponent("digits")
    let digitImages = try IDXArray(contentsOf: digits.appendingPathComponent("digits-images-idx3-ubyte"))
    let digitLabels = try IDXArray(contentsOf: digits.appendingPathComponent("digits-labels-idx1-ubyte"))
    plainIDX.append(("digits-4-images-idx3-ubyte", prefix(digitImages, 4).encoded()))
    plainIDX.append(("digits-12-labels-idx1-ubyte", prefix(digitLabels, 12).encoded()))
}
for (name, plain) in plainIDX {
    try seed("FuzzIDX", name, plain)
    try seed("FuzzIDX", name + ".gz", Gzip.compress(plain, level: 9))
    try seed("FuzzIDXGzip", name, plain)
}

// CIFAR-10: the first one and two records of the real test set (synthetic records without it).
let records: [UInt8]
if hasShared {
    records = Array(try bytes(shared, "cifar10-sample/test_batch_first20.bin").prefix(2 * CIFAR10.recordSize))
} else {
    let (pixels, labels) = SyntheticImages.images(count: 2, channels: 3, height: 32, width: 32, seed: 7)
    records = CIFAR10.encode(pixels: pixels, labels: labels)
}
try seed("FuzzCIFAR10", "cifar10-test-1-record.bin", Array(records.prefix(CIFAR10.recordSize)))
try seed("FuzzCIFAR10", "cifar10-test-2-records.bin", records)

// N-MNIST: synthetic recordings (300 ms, so both saccade filters have work) and one with a
// timestamp-overflow marker (y = 240) between its events.
for (label, count) in [(0, 12), (3, 40), (7, 90)] {
    var generator = SeededGenerator(seed: UInt64(label))
    let events = SyntheticEvents.events(
        label: label, sensorSize: NMNISTFormat.sensorSize, count: count, duration: 300_000, using: &generator)
    try seed("FuzzNMNIST", "synthetic-\(label)-\(count)-events.bin", try NMNISTFormat.encode(events))
}
var overflowGenerator = SeededGenerator(seed: 11)
let overflowEvents = SyntheticEvents.events(
    label: 5, sensorSize: NMNISTFormat.sensorSize, count: 10, duration: 8_000_000, using: &overflowGenerator)
var withMarker = try NMNISTFormat.encode(Array(overflowEvents.prefix(5)))
withMarker += [0, NMNISTFormat.overflowMarker, 0, 0, 0]
withMarker += try NMNISTFormat.encode(Array(overflowEvents.suffix(5)))
try seed("FuzzNMNIST", "synthetic-overflow-marker.bin", withMarker)

// AEDAT 2.0: synthetic DVS128 recordings in both address conventions, and one whose header has
// more comment lines and Unix line ends, as jAER writes them.
for (label, count, decoding) in [(1, 16, AEDAT2Format.Decoding.jAER), (6, 60, .spikingJelly)] {
    var generator = SeededGenerator(seed: 100 + UInt64(label))
    let events = SyntheticEvents.events(
        label: label, sensorSize: AEDAT2Format.sensorSize, count: count, duration: 1_000_000, using: &generator)
    try seed(
        "FuzzAEDAT", "synthetic-\(label)-\(count)-events-\(decoding.rawValue).aedat",
        try AEDAT2Format.encode(events, decoding: decoding))
}
var jAERGenerator = SeededGenerator(seed: 200)
let jAEREvents = SyntheticEvents.events(
    label: 2, sensorSize: AEDAT2Format.sensorSize, count: 8, duration: 50_000, using: &jAERGenerator)
let jAERBody = try AEDAT2Format.encode(jAEREvents).drop { $0 != UInt8(ascii: "\n") }.dropFirst()
    .drop { $0 != UInt8(ascii: "\n") }.dropFirst()
let jAERHeader =
    "#!AER-DAT2.0\n# This is a raw AE data file - do not edit\n# Data format is int32 address, int32 timestamp\n"
try seed("FuzzAEDAT", "synthetic-jaer-header.aedat", Array(jAERHeader.utf8) + jAERBody)

// safetensors: the Python-written fixture, a small PyTorch reference fixture, and a file of
// every dtype with metadata written by the package.
let tensorFixtures = root.appendingPathComponent("Tests/STBPTensorTests/Fixtures")
let networkFixtures = root.appendingPathComponent("Tests/STBPNetworkTests/Fixtures")
try seed("FuzzSafeTensors", "python_written.safetensors", try bytes(tensorFixtures, "python_written.safetensors"))
try seed(
    "FuzzSafeTensors", "surrogate_sigmoid.safetensors", try bytes(networkFixtures, "surrogate_sigmoid.safetensors"))
let everyDtype = SafeTensors(
    entries: [
        "weight": .float32(Tensor(shape: [2, 3], scalars: [0.5, -1, 2, .infinity, 0, -0.25])),
        "step": .int64(shape: [], values: [42]),
        "labels": .int32(shape: [4], values: [0, 9, 3, -1]),
        "cache": .uint8(shape: [2, 2], values: [0, 1, 254, 255]),
        "empty": .float32(Tensor(shape: [0, 3], scalars: [])),
    ],
    metadata: ["epoch": "3", "note": "quote \" backslash \\ newline \n tab \t"])
try seed("FuzzSafeTensors", "every-dtype.safetensors", [UInt8](everyDtype.encoded()))

// Network specs: the paper's networks and one of each token form.
let specs = [
    "paper-mnist": "32C3-AP2-32C3-AP2-128FC-10",
    "paper-cifar10": "128C3(Encoding)-128C3-AP2-384C3-384C3-AP2-1024FC-512FC-Voting",
    "paper-nmnist": "64C5s2p1-NN-D0.5-AP3s2-NN0.8-200FC-Voting20",
    "every-token": "16C3s1p0(Encoding)-AP2s1-NN.25-D0.125-8FC-4-Voting2",
    "dense-only": "10",
]
for (name, text) in specs { try seed("FuzzNetworkSpec", name + ".txt", Array(text.utf8)) }

// The checkpoint loader also gets a safetensors file that is not a checkpoint.
try seed("FuzzCheckpoint", "not-a-checkpoint.safetensors", try bytes(tensorFixtures, "python_written.safetensors"))
if arguments.count == 4 {
    try SyntheticEvents.writeNMNISTFolder(
        at: URL(fileURLWithPath: arguments[3]), samplesPerClass: 1, testSamplesPerClass: 1, eventsPerSample: 200,
        seed: 5)
}
print("MakeCorpus: wrote \(corpus.path)")
