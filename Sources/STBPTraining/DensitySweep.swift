import Foundation
import STBPTensor

/// Times the event-driven and the dense passes of spike-fed convolutions over input densities
/// (`stbp bench --density-sweep`): the forward pass and the weight gradient each way, and the
/// dense input gradient that both paths share. The figures the cost model
/// (`EventConv2DCost`) was calibrated from, and the check that it picks the faster path.
package enum DensitySweep {
    /// One convolution to sweep: its name and geometry (T·N samples folded into the batch).
    package struct Layer: Sendable {
        package var name: String
        package var geometry: Conv2DGeometry

        /// A convolution named `name` of `geometry`.
        package init(name: String, geometry: Conv2DGeometry) {
            self.name = name
            self.geometry = geometry
        }
    }

    /// A 3x3 convolution, stride 1, padding 1, from `channels` to `outChannels` maps of side
    /// `side`, over `samples` samples.
    static func layer(samples: Int, channels: Int, side: Int, outChannels: Int) -> Layer {
        Layer(
            name: "\(outChannels)C3 on \(channels)x\(side)x\(side)",
            geometry: Conv2DGeometry(
                inputShape: [samples, channels, side, side], weightShape: [outChannels, channels, 3, 3], stride: 1,
                padding: 1))
    }

    /// The nmnist network's two spike-fed convolutions at batch 16, T 10: 128C3 after 128C3 on
    /// 34x34 maps, 384C3 after 384C3 on 17x17.
    package static func nmnistLayers(batchSize: Int = 16, timeSteps: Int = 10) -> [Layer] {
        [
            layer(samples: batchSize * timeSteps, channels: 128, side: 34, outChannels: 128),
            layer(samples: batchSize * timeSteps, channels: 384, side: 17, outChannels: 384),
        ]
    }

    /// The cifar10 network's two spike-fed convolutions at batch 16, T 8: 256C3 after 128C3 on
    /// 32x32 maps, 512C3 after 1024C3 on 8x8.
    package static func cifar10Layers(batchSize: Int = 16, timeSteps: Int = 8) -> [Layer] {
        [
            layer(samples: batchSize * timeSteps, channels: 128, side: 32, outChannels: 256),
            layer(samples: batchSize * timeSteps, channels: 1024, side: 8, outChannels: 512),
        ]
    }

    /// The spike-fed convolutions of a named benchmark configuration (nmnist or cifar10; mnist
    /// has none: its convolutions take pooled spikes), or nil.
    package static func layers(ofConfig name: String, batchSize: Int?, timeSteps: Int?) -> [Layer]? {
        switch name {
        case "nmnist": return nmnistLayers(batchSize: batchSize ?? 16, timeSteps: timeSteps ?? 10)
        case "cifar10": return cifar10Layers(batchSize: batchSize ?? 16, timeSteps: timeSteps ?? 8)
        default: return nil
        }
    }

    /// The densities of the sweep: 0, 1, 2, 5, 10, 20 and 50%.
    package static let densities = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]

    /// Seconds of each pass at one density (the best of `repeats` runs each).
    package struct Row: Codable, Sendable {
        package var layer: String
        package var density: Double
        package var denseForward: Double, eventForward: Double
        package var denseWeightGradient: Double, eventWeightGradient: Double
        package var inputGradient: Double
        /// The path the cost model picks for each pass at this density.
        package var forwardChoice: String, weightGradientChoice: String

        enum CodingKeys: String, CodingKey {
            case layer, density
            case denseForward = "dense_forward_seconds", eventForward = "event_forward_seconds"
            case denseWeightGradient = "dense_weight_gradient_seconds"
            case eventWeightGradient = "event_weight_gradient_seconds"
            case inputGradient = "input_gradient_seconds"
            case forwardChoice = "forward_choice", weightGradientChoice = "weight_gradient_choice"
        }
    }

    /// Times every pass of every layer at every density.
    package static func run(layers: [Layer], densities: [Double] = densities, repeats: Int = 2) -> [Row] {
        var rows: [Row] = []
        for layer in layers {
            let g = layer.geometry
            var generator = SeededGenerator(seed: 5)
            let weight = Tensor.kaimingUniform(g.weightShape, fanIn: g.patchSize, using: &generator)
            let bias = Tensor.uniform([g.outChannels], low: -0.1, high: 0.1, using: &generator)
            let gradOutput = Tensor.normal(g.outputShape, using: &generator)
            for density in densities {
                let spikes = Tensor.bernoulli(g.inputShape, probability: Float(density), using: &generator)
                let bits = SpikeBits(spikes)!
                func best(_ body: () -> Void) -> Double {
                    (0..<max(1, repeats)).map { _ in
                        let start = MonotonicClock.now
                        body()
                        return MonotonicClock.now - start
                    }.min()!
                }
                let cost = EventConv2DCost(geometry: g, ones: bits.count)
                rows.append(
                    Row(
                        layer: layer.name, density: density,
                        denseForward: best {
                            _ = Conv2DKernel.forward(
                                input: spikes, weight: weight, bias: bias, stride: g.stride, padding: g.padding)
                        },
                        eventForward: best {
                            _ = EventConv2DKernel.forward(
                                spikes: spikes, weight: weight, bias: bias, stride: g.stride, padding: g.padding)
                        },
                        denseWeightGradient: best {
                            _ = Conv2DKernel.weightGradient(
                                gradOutput: gradOutput, input: bits.tensor, weight: weight, stride: g.stride,
                                padding: g.padding)
                        },
                        eventWeightGradient: best {
                            _ = EventConv2DKernel.weightGradient(
                                gradOutput: gradOutput, spikes: bits, weightShape: g.weightShape, stride: g.stride,
                                padding: g.padding)
                        },
                        inputGradient: best {
                            _ = Conv2DKernel.inputGradient(
                                gradOutput: gradOutput, weight: weight, inputShape: g.inputShape, stride: g.stride,
                                padding: g.padding)
                        },
                        forwardChoice: cost.forwardPrefersEvents ? "event" : "dense",
                        weightGradientChoice: cost.weightGradientPrefersEvents ? "event" : "dense"))
            }
        }
        return rows
    }

    /// The rows as a Markdown table, times in milliseconds.
    package static func table(_ rows: [Row]) -> String {
        let ms = { (seconds: Double) in String(format: "%.1f", seconds * 1000) }
        var lines = [
            "| layer | density | forward dense ms | forward event ms | dL/dw dense ms | dL/dw event ms | dL/dx ms | model picks (fwd, dw) |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in rows {
            lines.append(
                "| \(r.layer) | \(String(format: "%g", r.density * 100))% | \(ms(r.denseForward)) | \(ms(r.eventForward)) | "
                    + "\(ms(r.denseWeightGradient)) | \(ms(r.eventWeightGradient)) | \(ms(r.inputGradient)) | "
                    + "\(r.forwardChoice), \(r.weightGradientChoice) |")
        }
        return lines.joined(separator: "\n")
    }
}
