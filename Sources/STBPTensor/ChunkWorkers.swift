import COpenBLAS
import Dispatch
import Synchronization

/// Runs `body(worker, chunk)` for chunks 0..<chunks on `workers` threads (at most
/// `ComputeThreads.available`), worker w taking chunks w, w + workers, ..., with each GEMM
/// single-threaded on the thread that calls it.
///
/// Thin GEMMs (few output maps) split across OpenBLAS's threads spend much of their time
/// waking and waiting for them; whole chunks per thread do not (mnist training step, 2
/// threads: 0.19-0.24 s -> 0.15-0.17 s). Meanwhile OpenBLAS runs on one thread, and so do the
/// package's own loops inside `body`. With one worker or one chunk, the chunks run in order on
/// the calling thread and nothing changes.
func forEachChunk(workers: Int, _ chunks: Int, _ body: (_ worker: Int, _ chunk: Int) -> Void) {
    guard workers > 1 && chunks > 1 else {
        for chunk in 0..<chunks { body(0, chunk) }
        return
    }
    SingleThreadedBLAS.enter()
    defer { SingleThreadedBLAS.leave() }
    withoutActuallyEscaping(body) { body in
        let task = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for chunk in Swift.stride(from: worker, to: chunks, by: workers) { task.value(worker, chunk) }
        }
    }
}

/// The threads `forEachChunk` uses for `chunks` chunks: one per chunk, at most
/// `ComputeThreads.available`.
func chunkWorkers(_ chunks: Int) -> Int { max(1, min(ComputeThreads.available, chunks)) }

/// One zeroed accumulator of `size` floats per worker of a `forEachChunk` (a weight gradient):
/// each worker sums its chunks into its own (`of(_:)`), and `total(into:)` adds them in worker
/// order, so the result depends on the thread count but not on timing. Give it back with
/// `release()`.
struct WorkerSums {
    let size: Int, workers: Int
    private let pointer: UnsafeMutablePointer<Float>

    init(workers: Int, size: Int) {
        (self.size, self.workers) = (size, workers)
        pointer = TensorMemory.allocate(workers * size)
        pointer.initialize(repeating: 0, count: workers * size)
    }

    /// Worker `worker`'s accumulator.
    func of(_ worker: Int) -> UnsafeMutablePointer<Float> { pointer + worker * size }

    /// target[0..<size] = the workers' sums added in worker order.
    func total(into target: UnsafeMutablePointer<Float>) {
        target.update(from: pointer, count: size)
        for worker in 1..<workers {
            let sum = of(worker)
            for i in 0..<size { target[i] += sum[i] }
        }
    }

    func release() { TensorMemory.deallocate(pointer, count: workers * size) }
}

/// Sets OpenBLAS to one thread while any `forEachChunk` runs, and back to the configured count
/// when the last one ends, so that sections running at once on different threads (two
/// networks, parallel tests) neither run GEMMs on a shared thread pool nor leave the count at 1.
/// `ComputeThreads` reads and sets the configured count through it.
enum SingleThreadedBLAS {
    /// Sections running, and the configured thread count while any runs.
    static let state = Mutex<(sections: Int, threads: Int32)>((0, 1))

    static func enter() {
        state.withLock { state in
            if state.sections == 0 {
                state.threads = openblas_get_num_threads()
                openblas_set_num_threads(1)
            }
            state.sections += 1
        }
    }

    static func leave() {
        state.withLock { state in
            state.sections -= 1
            if state.sections == 0 { openblas_set_num_threads(state.threads) }
        }
    }

    /// The count `ComputeThreads.set` gave last.
    static var configuredThreads: Int {
        state.withLock { Int($0.sections > 0 ? $0.threads : openblas_get_num_threads()) }
    }

    /// 1 while a section runs, else the configured count.
    static var availableThreads: Int {
        state.withLock { $0.sections > 0 ? 1 : Int(openblas_get_num_threads()) }
    }

    /// Sets the configured count: now, or when the last running section ends.
    static func setThreads(_ threads: Int32) {
        state.withLock { state in
            if state.sections > 0 { state.threads = threads } else { openblas_set_num_threads(threads) }
        }
    }
}
