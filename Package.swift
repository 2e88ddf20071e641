// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "swift-stbp",
    products: [
        // The umbrella library: `import STBP` gives the whole framework.
        .library(name: "STBP", targets: ["STBP"]),
        // The same as a shared library, for Swift scripts (`swift -I ... -L ... -lSTBPDynamic`).
        .library(name: "STBPDynamic", type: .dynamic, targets: ["STBP"]),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            path: "Modules/COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Modules/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "STBPTensor", dependencies: ["COpenBLAS"]),
        .target(name: "STBPAutodiff", dependencies: ["STBPTensor"]),
        .target(name: "STBPData", dependencies: ["STBPTensor", "CZlib"]),
        .target(name: "STBPNetwork", dependencies: ["STBPAutodiff"]),
        .target(name: "STBP", dependencies: ["STBPTensor", "STBPAutodiff", "STBPNetwork", "STBPData"]),
        .testTarget(name: "STBPTensorTests", dependencies: ["STBPTensor"], exclude: ["Fixtures"]),
        .testTarget(name: "STBPAutodiffTests", dependencies: ["STBPAutodiff"]),
        .testTarget(name: "STBPDataTests", dependencies: ["STBPData"]),
        .testTarget(name: "STBPNetworkTests", dependencies: ["STBPNetwork"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
