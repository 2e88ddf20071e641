// The whole module is the MPI trait's: without it (the default build) it compiles to nothing
// and needs no MPI headers.
#if MPI
    import CMPI
    import Foundation
    import STBPTensor
    import STBPTraining

    /// The processes of an `mpirun` (or `srun`) job as a data-parallel `ProcessGroup` over MPI's
    /// world communicator: broadcasts with `MPI_Bcast`, sums with `MPI_Allreduce` and, for gradient
    /// buckets, `MPI_Iallreduce` in place, advanced by `MPI_Testall` while the backward pass runs.
    ///
    ///     if MPIProcessGroup.isLaunchedByMPI {
    ///         let group = try MPIProcessGroup.initialize()   // once per process
    ///         run.processGroup = group                         // a TrainingRun
    ///     }
    ///
    /// MPI is initialised with `MPI_THREAD_MULTIPLE` when the library provides it: then a thread
    /// of this group calls `MPI_Testall` every 100 us while sums are under way, because Open MPI
    /// moves a non-blocking collective over TCP on only inside MPI calls, and the backward pass
    /// makes none for seconds. Otherwise only the training loop's thread calls MPI, and the sums
    /// advance at each gradient report (`progress()`). The compute threads never call MPI.
    /// Errors of MPI calls abort the job
    /// (MPI's default handler), and `abort(_:)` ends every process of the job after printing a
    /// message, so that no process waits in a collective for one that failed.
    ///
    /// `@unchecked Sendable`: `rank` and `size` never change, and the requests (the only state the
    /// progress thread shares) are guarded by one condition lock.
    public final class MPIProcessGroup: ProcessGroup, @unchecked Sendable {
        /// This process's rank in the world communicator.
        public let rank: Int
        /// The number of processes in the world communicator.
        public let size: Int
        /// The sums started this step; a finished one is MPI_REQUEST_NULL. Guarded by `condition`.
        private var requests: [MPI_Request?] = []
        /// Whether some request is not finished yet. Guarded by `condition`.
        private var active = false
        /// How many of `requests` have been waited for; when all have, the list starts afresh.
        /// Guarded by `condition`.
        private var waited = 0
        private let condition = NSCondition()
        private let world = cmpi_comm_world()
        /// Whether a thread of this group advances the sums (MPI_THREAD_MULTIPLE provided).
        private let progressesInBackground: Bool

        private init(rank: Int, size: Int, progressesInBackground: Bool) {
            self.rank = rank
            self.size = size
            self.progressesInBackground = progressesInBackground
            if progressesInBackground {
                let thread = Thread { [unowned self] in self.advanceSums() }
                thread.name = "MPI progress"
                thread.start()
            }
        }

        /// The progress thread: while a sum is under way, `MPI_Testall` every 100 us; otherwise it
        /// sleeps until one starts. (It lives as long as the process, as the group does.)
        private func advanceSums() {
            condition.lock()
            while true {
                while !active { condition.wait() }
                var done: Int32 = 0
                MPI_Testall(Int32(requests.count), &requests, &done, nil)
                if done != 0 { active = false }
                condition.unlock()
                usleep(100)
                condition.lock()
            }
        }

        /// Whether this process was started by an MPI launcher (mpirun, mpiexec, srun), from the
        /// variables they set (`MPILauncher.worldSize`, or PMIx's `PMIX_RANK`).
        public static var isLaunchedByMPI: Bool {
            MPILauncher.worldSize != nil || ProcessInfo.processInfo.environment["PMIX_RANK"] != nil
        }

        /// The cores this process may run on (its CPU affinity mask, which mpirun's binding sets),
        /// at least 1: the default thread count of a rank.
        public static var boundCores: Int {
            max(1, Int(cmpi_bound_cores()))
        }

        /// The group of this process when an MPI launcher started it (MPI initialised, and the
        /// compute threads set to `threads`, by default to `boundCores`), else nil.
        public static func joinLaunchedJob(threads: Int?) throws -> MPIProcessGroup? {
            guard isLaunchedByMPI else { return nil }
            let group = try initialize()
            ComputeThreads.set(threads ?? boundCores)
            return group
        }

        /// Initialises MPI (once per process) and returns the world's group; MPI is finalised when
        /// the process exits normally.
        public static func initialize() throws -> MPIProcessGroup {
            var provided: Int32 = 0
            var argc: Int32 = 0
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
            let status = MPI_Init_thread(&argc, &argv, Int32(MPI_THREAD_MULTIPLE), &provided)
            guard status == MPI_SUCCESS else {
                throw MPIError(call: "MPI_Init_thread", code: status)
            }
            atexit {
                var finalized: Int32 = 0
                MPI_Finalized(&finalized)
                if finalized == 0 { MPI_Finalize() }
            }
            var rank: Int32 = 0
            var size: Int32 = 0
            MPI_Comm_rank(cmpi_comm_world(), &rank)
            MPI_Comm_size(cmpi_comm_world(), &size)
            return MPIProcessGroup(
                rank: Int(rank), size: Int(size), progressesInBackground: provided == Int32(MPI_THREAD_MULTIPLE))
        }

        /// Prints `message` to standard error (prefixed with the rank) and ends every process of the
        /// job with status `code` (`MPI_Abort`).
        public func abort(_ message: String, code: Int32 = 1) -> Never {
            FileHandle.standardError.write(Data("[rank \(rank)/\(size)] \(message)\n".utf8))
            MPI_Abort(world, code)
            exit(code)
        }

        /// Overwrites `bytes` with rank 0's on every rank (`MPI_Bcast`, in pieces of at most 1 GiB).
        public func broadcast(_ bytes: UnsafeMutableRawBufferPointer) {
            var offset = 0
            // MPI counts are Int32: send large buffers in pieces.
            while offset < bytes.count {
                let count = min(bytes.count - offset, 1 << 30)
                MPI_Bcast(bytes.baseAddress! + offset, Int32(count), cmpi_byte(), 0, world)
                offset += count
            }
        }

        /// Replaces `values` with their sums over the ranks (`MPI_Allreduce` in place).
        public func sum(_ values: UnsafeMutableBufferPointer<Double>) {
            guard !values.isEmpty else { return }
            MPI_Allreduce(cmpi_in_place(), values.baseAddress!, Int32(values.count), cmpi_double(), cmpi_sum(), world)
        }

        /// Starts summing `values` over the ranks in place (`MPI_Iallreduce`); the buffer must stay
        /// untouched until the returned sum's `wait()` returns.
        public func startSum(_ values: UnsafeMutableBufferPointer<Float>) -> any PendingSum {
            precondition(
                values.count < Int(Int32.max), "A gradient bucket of \(values.count) floats is too large for MPI.")
            condition.lock()
            defer { condition.unlock() }
            var request: MPI_Request? = cmpi_request_null()
            MPI_Iallreduce(
                cmpi_in_place(), values.baseAddress!, Int32(values.count), cmpi_float(), cmpi_sum(), world, &request)
            requests.append(request)
            active = true
            condition.signal()
            return MPIPendingSum(group: self, index: requests.count - 1)
        }

        /// Lets the started sums advance (`MPI_Testall`): Open MPI moves a non-blocking collective
        /// on only inside MPI calls. With the progress thread, nothing to do.
        public func progress() {
            guard !progressesInBackground else { return }
            condition.lock()
            defer { condition.unlock() }
            guard !requests.isEmpty else { return }
            var done: Int32 = 0
            MPI_Testall(Int32(requests.count), &requests, &done, nil)
        }

        /// Waits for started sum `index` (a finished request is MPI_REQUEST_NULL, which returns at
        /// once); the progress thread waits meanwhile. Every started sum must be waited for once.
        fileprivate func wait(_ index: Int) {
            condition.lock()
            defer { condition.unlock() }
            MPI_Wait(&requests[index], nil)
            // Each started sum is waited for once (GradientBuckets.finish); then the indices of
            // the next step's sums start at 0 again.
            waited += 1
            if waited == requests.count {
                requests.removeAll()
                waited = 0
            }
        }
    }

    /// One `MPI_Iallreduce` of an `MPIProcessGroup`.
    final class MPIPendingSum: PendingSum {
        private let group: MPIProcessGroup
        private let index: Int

        init(group: MPIProcessGroup, index: Int) {
            self.group = group
            self.index = index
        }

        func wait() {
            group.wait(index)
        }
    }

    /// An MPI call that failed.
    public struct MPIError: Error, CustomStringConvertible {
        /// The call.
        public let call: String
        /// Its error code.
        public let code: Int32

        /// "MPI_Init_thread failed with MPI error 16."
        public var description: String { "\(call) failed with MPI error \(code)." }
    }
#endif
