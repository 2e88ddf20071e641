import Dispatch
import Foundation
import Synchronization

/// Turns the first Ctrl-C (SIGINT) into a request to stop after the current step and write a
/// checkpoint; a second Ctrl-C quits at once. Create one before training and pass
/// `{ interrupt.isRequested }` as the trainer's `shouldStop`.
public final class InterruptRequest {
    private final class Flag: Sendable {
        let value = Atomic<Bool>(false)
    }

    private let flag = Flag()
    private let source: any DispatchSourceSignal

    /// Starts listening for SIGINT.
    public init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [flag] in
            if flag.value.exchange(true, ordering: .sequentiallyConsistent) {
                FileHandle.standardError.write(Data("\nStopped without a checkpoint.\n".utf8))
                exit(130)
            }
            FileHandle.standardError.write(
                Data("\nStopping after this step; writing a checkpoint (Ctrl-C again to quit now).\n".utf8))
        }
        source.resume()
    }

    /// Whether Ctrl-C was pressed.
    public var isRequested: Bool { flag.value.load(ordering: .sequentiallyConsistent) }
}
