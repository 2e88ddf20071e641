import STBPNetwork
import STBPTensor

extension Tensor {
    /// Checks a layer's fixed tensor (a scale, a threshold, a neuron parameter) against one
    /// sample's shape: it is [1] (one value for all) or that shape; else an error naming the
    /// layer and the tensor.
    func checkFits(sampleShape: [Int], layer: String, name: String) throws(NetworkShapeError) {
        guard shape == [1] || shape == sampleShape else {
            throw NetworkShapeError(layer: layer, inputShape: sampleShape, reason: "its \(name) has shape \(shape)")
        }
    }
}
