import STBPAutodiff
import STBPTensor

/// A weight file that does not fit the network: the tensor, what was expected and what was found.
public struct WeightLoadingError: Error, CustomStringConvertible, Equatable {
    /// The file.
    public let path: String
    /// The tensor name.
    public let tensor: String
    /// What the network needs.
    public let expected: String
    /// What the file holds.
    public let found: String

    /// "<path>: tensor "<name>": expected <expected>, found <found>."
    public var description: String {
        "\(path): tensor \"\(tensor)\": expected \(expected), found \(found)."
    }
}

extension Network {
    /// The parameters by name (`layers.<i>.weight`, `layers.<i>.bias`), as they are now.
    public var parameterTensors: [String: Tensor] {
        Dictionary(uniqueKeysWithValues: namedParameters.map { ($0.name, $0.parameter.value) })
    }

    /// Sets every parameter from the float32 tensor of the same name (with `prefix` before it) in
    /// `file`; other tensors in the file are ignored. Nothing changes unless every parameter fits.
    public func loadParameters(from file: SafeTensors, path: String, prefix: String = "") throws(WeightLoadingError) {
        var values: [(Parameter, Tensor)] = []
        for (name, parameter) in namedParameters {
            let key = prefix + name
            let shape = parameter.value.shape
            guard let entry = file.entries[key] else {
                throw WeightLoadingError(path: path, tensor: key, expected: "float32 \(shape)", found: "no such tensor")
            }
            guard case .float32(let tensor) = entry else {
                throw WeightLoadingError(
                    path: path, tensor: key, expected: "float32 \(shape)", found: "dtype \(entry.dtype)")
            }
            guard tensor.shape == shape else {
                throw WeightLoadingError(
                    path: path, tensor: key, expected: "float32 \(shape)", found: "shape \(tensor.shape)")
            }
            values.append((parameter, tensor))
        }
        for (parameter, tensor) in values { parameter.value = tensor }
    }
}
