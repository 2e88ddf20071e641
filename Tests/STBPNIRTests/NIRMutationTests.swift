import Foundation
import STBPNetwork
import STBPTensor
import Testing

@testable import STBPNIR

/// Randomised hostile files: a valid NIR file's HDF5 tree with one field removed, retyped,
/// reshaped or renamed, or edges added, read and imported. Every outcome is a network or a
/// `NIRError` naming a node or field; nothing traps.
@Suite struct NIRMutationTests {
    /// The tree of `NIRFileTests.everyNodeType` as written.
    static let valid: HDF5Item = {
        guard case .group(let members) = NIRNode(.graph(NIRFileTests.everyNodeType)).hdf5Group else { fatalError() }
        return .group([("version", .text(NIRGraph.version)), ("node", .group(members))])
    }()

    /// The paths of every dataset in `item` ("node/nodes/conv/weight").
    static func datasetPaths(_ item: HDF5Item, prefix: [String] = []) -> [[String]] {
        guard case .group(let members) = item else { return [prefix] }
        return members.flatMap { datasetPaths($0.item, prefix: prefix + [$0.name]) }
    }

    /// `item` with the member at `path` replaced by `replacement` (removed when nil).
    static func replacing(_ item: HDF5Item, at path: ArraySlice<String>, with replacement: HDF5Item?) -> HDF5Item {
        guard case .group(let members) = item, let name = path.first else { return replacement ?? item }
        var changed: [(name: String, item: HDF5Item)] = []
        for member in members {
            if member.name != name {
                changed.append(member)
            } else if path.count == 1 {
                if let replacement { changed.append((name, replacement)) }
            } else {
                changed.append((name, replacing(member.item, at: path.dropFirst(), with: replacement)))
            }
        }
        return .group(changed)
    }

    static func mutation(_ index: Int, of item: HDF5Item, generator: inout SeededGenerator) -> HDF5Item {
        let paths = datasetPaths(item)
        let path = paths[Int.random(in: 0..<paths.count, using: &generator)]
        let size = Int.random(in: 0...3, using: &generator)
        let replacements: [HDF5Item?] = [
            nil,
            .text(["NIRGraph", "LIF", "Conv2d", "same", "x"][index % 5]),
            .dataset(HDF5Dataset(shape: [size], values: .reals((0..<size).map { Double($0) - 1 }))),
            .dataset(
                HDF5Dataset(shape: [2, size], values: .integers((0..<(2 * size)).map { Int64($0) * 1_000_000_007 }))),
            .dataset(HDF5Dataset(shape: [], values: .reals([[Double.nan, .infinity, -1, 0, 1e300][index % 5]]))),
            .group([("type", .text("Input")), ("shape", .integers([1 << 40, 1 << 30]))]),
            .dataset(
                HDF5Dataset(
                    shape: [size, 2],
                    values: .strings((0..<(2 * size)).map { ["in", "conv", "zz", "block.input"][$0 % 4] }))),
        ]
        return replacing(item, at: path[...], with: replacements[index % replacements.count])
    }

    @Test func everyMutatedFileIsRefusedOrRuns() throws {
        var generator = SeededGenerator(seed: 11)
        var refused = 0
        for index in 0..<300 {
            var item = Self.valid
            for _ in 0...(index % 3) {
                item = Self.mutation(Int.random(in: 0..<70, using: &generator), of: item, generator: &generator)
            }
            guard case .group(let members) = item else { continue }
            let bytes = try HDF5.write(members)
            do throws(NIRError) {
                let network = try Network(nir: try NIRGraph(fileBytes: bytes), timeStep: 1e-4)
                _ = spikes(of: network, input: randomInput([1] + network.inputShape, seed: 1), timeSteps: 2)
            } catch {
                refused += 1
                #expect(!error.reason.isEmpty)
            }
        }
        #expect(refused > 200, "most mutations break the file: \(refused) of 300 refused")
    }
}
