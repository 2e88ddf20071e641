// swift-tools-version:5.4
import PackageDescription

// libFuzzer targets for swift-stbp's readers and parsers, kept out of the main package: they link
// only with `-sanitize=fuzzer` (libFuzzer brings `main`). Build and run them with Scripts/fuzz.sh.
//
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM links every executable on Linux with
// `--defsym main=<Target>_main` (so that tests can import executables), a symbol that a target
// built with `-parse-as-library` never defines, and the link fails. The targets are small and
// build in the Swift 5 language mode; the package they test keeps its own tools version and mode.
let targetNames = [
    "FuzzIDX", "FuzzIDXGzip", "FuzzCIFAR10", "FuzzNMNIST", "FuzzAEDAT", "FuzzSafeTensors", "FuzzNetworkSpec",
    "FuzzCheckpoint", "FuzzNIR",
]

let package = Package(
    name: "swift-stbp-fuzz",
    products: targetNames.map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(name: "swift-stbp", path: "..")
    ],
    targets: [
        // What every target shares: the input as bytes, the expected-error check, a temporary file.
        .target(name: "FuzzSupport", dependencies: [.product(name: "STBP", package: "swift-stbp")])
    ]
        + targetNames.map { name in
            .executableTarget(
                name: name,
                dependencies: ["FuzzSupport", .product(name: "STBP", package: "swift-stbp")],
                swiftSettings: [.unsafeFlags(["-parse-as-library"])]
            )
        }
)
