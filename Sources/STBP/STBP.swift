// The umbrella module: `import STBP` gives the whole framework.
@_exported import STBPAutodiff
@_exported import STBPData
@_exported import STBPNIR
@_exported import STBPNetwork
@_exported import STBPTensor
@_exported import STBPTraining
