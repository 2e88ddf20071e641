// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-stbp",
    products: [
        // The command-line tool: train, evaluate, summary, grad, bench.
        .executable(name: "stbp", targets: ["STBPTool"]),
        // The paper's experiments as example programs.
        .executable(name: "stbp-quickstart", targets: ["STBPExampleQuickstart"]),
        .executable(name: "stbp-nmnist", targets: ["STBPExampleNMNIST"]),
        .executable(name: "stbp-dvs-cifar10", targets: ["STBPExampleDVSCIFAR10"]),
        .executable(name: "stbp-cifar10", targets: ["STBPExampleCIFAR10"]),
        // Composing networks in Swift with a neuron, surrogate and loss of one's own.
        .executable(name: "stbp-extending", targets: ["STBPExampleExtending"]),
        // The umbrella library: `import STBP` gives the whole framework.
        .library(name: "STBP", targets: ["STBP"]),
        // The same as a shared library, for Swift scripts (`swift -I ... -L ... -lSTBPDynamic`).
        .library(name: "STBPDynamic", type: .dynamic, targets: ["STBP"]),
    ],
    traits: [
        // Data-parallel training over MPI (`swift build --traits MPI`, then `mpirun ... stbp train`):
        // links Open MPI (libopenmpi-dev), which the default build does not need.
        .trait(name: "MPI", description: "Data-parallel training over MPI (Open MPI, pkg-config ompi-c)")
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target STBP` (resolved, never built, by `swift build`).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
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
        .systemLibrary(
            name: "CHDF5",
            path: "Modules/CHDF5",
            pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev"])]
        ),
        .systemLibrary(
            name: "CMPI",
            path: "Modules/CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"])]
        ),
        // Vector kernels in C, built for AVX-512, AVX2 and baseline x86-64, picked at load time.
        .target(name: "CSTBPKernels"),
        .target(name: "STBPTensor", dependencies: ["COpenBLAS", "CSTBPKernels"]),
        .target(name: "STBPAutodiff", dependencies: ["STBPTensor"]),
        .target(name: "STBPData", dependencies: ["STBPTensor", "CZlib"], exclude: ["README.md"]),
        .target(name: "STBPNetwork", dependencies: ["STBPAutodiff", "CSTBPKernels"]),
        .target(name: "STBPTraining", dependencies: ["STBPNetwork", "STBPData"]),
        // NIR files (HDF5): export trained networks, import networks from other SNN frameworks.
        .target(name: "STBPNIR", dependencies: ["STBPNetwork", "CHDF5"]),
        // Data-parallel training over MPI (trait MPI): MPIProcessGroup.
        .target(name: "STBPDistributed", dependencies: ["STBPTensor", "STBPTraining", "CMPI"]),
        .target(
            name: "STBP",
            dependencies: ["STBPTensor", "STBPAutodiff", "STBPNetwork", "STBPData", "STBPTraining", "STBPNIR"]),
        .executableTarget(
            name: "STBPTool",
            dependencies: [
                "STBP", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .target(name: "STBPDistributed", condition: .when(traits: ["MPI"])),
            ]
        ),
        .target(
            name: "STBPExampleSupport",
            dependencies: [
                "STBP", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .target(name: "STBPDistributed", condition: .when(traits: ["MPI"])),
            ],
            path: "Examples/Support"
        ),
        .executableTarget(
            name: "STBPExampleQuickstart", dependencies: ["STBPExampleSupport"], path: "Examples/Quickstart"),
        .executableTarget(name: "STBPExampleNMNIST", dependencies: ["STBPExampleSupport"], path: "Examples/NMNIST"),
        .executableTarget(
            name: "STBPExampleDVSCIFAR10", dependencies: ["STBPExampleSupport"], path: "Examples/DVSCIFAR10"),
        .executableTarget(name: "STBPExampleCIFAR10", dependencies: ["STBPExampleSupport"], path: "Examples/CIFAR10"),
        .executableTarget(
            name: "STBPExampleExtending", dependencies: ["STBPExampleSupport"], path: "Examples/Extending"),
        .testTarget(name: "STBPTensorTests", dependencies: ["STBPTensor"], exclude: ["Fixtures"]),
        .testTarget(name: "STBPAutodiffTests", dependencies: ["STBPAutodiff"]),
        .testTarget(name: "STBPDataTests", dependencies: ["STBPData"]),
        .testTarget(name: "STBPNetworkTests", dependencies: ["STBPNetwork"], exclude: ["Fixtures"]),
        .testTarget(name: "STBPTrainingTests", dependencies: ["STBPTraining"], exclude: ["Fixtures"]),
        .testTarget(name: "STBPNIRTests", dependencies: ["STBPNIR", "STBPTraining"], exclude: ["Fixtures"]),
        // Runs the built tool and examples: their targets are dependencies so that they are built first.
        .testTarget(
            name: "STBPToolTests",
            dependencies: [
                "STBP", "STBPTool", "STBPExampleQuickstart", "STBPExampleNMNIST", "STBPExampleDVSCIFAR10",
                "STBPExampleCIFAR10", "STBPExampleExtending",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
