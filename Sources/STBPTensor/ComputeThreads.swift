import COpenBLAS
import Dispatch

/// The number of threads that OpenBLAS and the package's own parallel loops use.
///
/// This is the package's one thread setting. It starts from the `OPENBLAS_NUM_THREADS`
/// environment variable (or the number of cores) and is changed with `ComputeThreads.set(_:)`.
/// The value lives in OpenBLAS itself, so the two can never disagree; only while a convolution
/// runs whole chunks one per thread (`forEachChunk`) does OpenBLAS run on one thread, with the
/// configured count kept aside and restored when the last such section ends.
public enum ComputeThreads {
    /// The current number of threads.
    public static var count: Int { max(1, SingleThreadedBLAS.configuredThreads) }

    /// The threads the package's own loops may use now: `count`, or 1 while a convolution
    /// runs its chunks one per thread (`forEachChunk`).
    package static var available: Int { max(1, SingleThreadedBLAS.availableThreads) }

    /// Sets the number of threads for OpenBLAS and the package's parallel loops; `threads` must
    /// be at least 1.
    ///
    /// While a convolution runs its chunks on separate threads (`forEachChunk`), OpenBLAS runs
    /// on one thread; a count set meanwhile takes effect when the convolution ends, and `count`
    /// reports it all along.
    public static func set(_ threads: Int) {
        precondition(threads >= 1, "The thread count must be at least 1, got \(threads).")
        SingleThreadedBLAS.setThreads(Int32(threads))
    }

    /// The OpenBLAS build and the core it chose, for example "OpenBLAS 0.3.21 ... SkylakeX".
    public static var blasDescription: String {
        let config = openblas_get_config().map { String(cString: $0) } ?? "OpenBLAS"
        let core = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
        return "\(config) core \(core)"
    }

    /// The name of the CPU kernel set OpenBLAS selected.
    package static var blasCoreName: String {
        openblas_get_corename().map { String(cString: $0) } ?? "unknown"
    }
}

/// Runs `body` over `0..<count` split into contiguous chunks, one per thread.
///
/// Each chunk holds at least `grain` items; with one chunk `body` runs on the calling thread.
/// `body` must only write to memory that no other chunk touches.
@inlinable
package func parallelFor(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let chunks = min(ComputeThreads.count, max(1, count / max(grain, 1)))
    if chunks == 1 {
        body(0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        let task = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            task.value((chunk * count / chunks)..<((chunk + 1) * count / chunks))
        }
    }
}

/// Carries a value (typically raw pointers into disjoint regions) into the threads of
/// `parallelFor`; the caller guarantees that the threads never write the same memory.
@usableFromInline package struct UncheckedSendable<Value>: @unchecked Sendable {
    /// The carried value.
    @usableFromInline package let value: Value
    /// Wraps `value`.
    @inlinable package init(_ value: Value) { self.value = value }
}
