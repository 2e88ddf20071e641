import STBPTensor
import Synchronization

/// Where layers made without an explicit generator draw their initial parameters.
///
/// `Network(inputShape:seed:) { ... }` and `withSeed(_:_:)` give the layers made inside them a
/// generator of their own, so the same seed gives the same weights; layers made outside any
/// such scope draw from one process-wide generator that starts from seed 0 (as PyTorch's
/// default generator does). Layers also take a generator explicitly (`generator: &g`).
public enum ParameterInitialization {
    @TaskLocal static var scoped: GeneratorBox?
    static let processDefault = GeneratorBox(SeededGenerator(seed: 0))

    /// Runs `body`; layers made inside it without an explicit generator draw from a generator
    /// seeded with `seed`, in the order they are made.
    public static func withSeed<R>(_ seed: UInt64, _ body: () throws -> R) rethrows -> R {
        try $scoped.withValue(GeneratorBox(SeededGenerator(seed: seed))) { try body() }
    }

    /// Runs `body` with the generator of the current scope.
    package static func draw<R>(_ body: (inout SeededGenerator) -> R) -> R {
        (scoped ?? processDefault).generator.withLock { body(&$0) }
    }
}

/// A generator shared by the layers made in one scope.
final class GeneratorBox: Sendable {
    let generator: Mutex<SeededGenerator>
    init(_ generator: SeededGenerator) { self.generator = Mutex(generator) }
}
