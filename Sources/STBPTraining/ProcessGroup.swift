import Foundation

/// The processes of a data-parallel run as the trainer sees them: each holds the whole network
/// and a slice of every global batch, and they sum gradients and counts with collectives.
/// `MPIProcessGroup` (module STBPDistributed, package trait `MPI`) is one over MPI.
///
/// Every method but `rank` and `size` is a collective: every process calls it, in the same
/// order, with buffers of the same size.
public protocol ProcessGroup: AnyObject {
    /// This process's number, 0..<size; rank 0 writes the run folder.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// Overwrites `bytes` with rank 0's on every process.
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer)
    /// Replaces `values` with their sums over all processes (the same on every process).
    func sum(_ values: UnsafeMutableBufferPointer<Double>)
    /// Starts replacing `values` with their sums over all processes; `values` must stay
    /// allocated and untouched until the returned sum's `wait()` has returned, which must be
    /// called once for every started sum.
    func startSum(_ values: UnsafeMutableBufferPointer<Float>) -> any PendingSum
    /// Lets started sums advance (called while the backward pass goes on).
    func progress()
}

/// A sum over the processes that `ProcessGroup.startSum` started.
public protocol PendingSum: AnyObject {
    /// Blocks until the sum is in the buffer.
    func wait()
}

extension ProcessGroup {
    /// Sums `values` over all processes.
    public func sum(_ values: [Double]) -> [Double] {
        var values = values
        values.withUnsafeMutableBufferPointer { sum($0) }
        return values
    }

    /// Whether `flag` is true on any process.
    public func any(_ flag: Bool) -> Bool {
        sum([flag ? 1 : 0])[0] > 0
    }

    /// Rank 0's floats in `values` on every process.
    public func broadcast(_ values: inout [Float]) {
        values.withUnsafeMutableBytes { broadcast($0) }
    }

    /// Rank 0's text on every process.
    public func broadcast(_ text: String) -> String {
        var count = [UInt64(text.utf8.count)]
        count.withUnsafeMutableBytes { broadcast($0) }
        var bytes = Array(text.utf8)
        if rank != 0 { bytes = [UInt8](repeating: 0, count: Int(count[0])) }
        bytes.withUnsafeMutableBytes { broadcast($0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Throws on every process unless `text` (a description of `what`: settings, data sizes) is
    /// the same on every process as on rank 0; every process's error names the first rank that
    /// differs and its first differing line, so that whichever process reports first says it.
    public func checkSame(_ text: String, what: String) throws {
        let reference = broadcast(text)
        let differs = reference != text
        let ranks = sum((0..<size).map { $0 == rank && differs ? 1 : 0 })
        guard let first = ranks.indices.first(where: { ranks[$0] > 0 }) else { return }
        // The first differing rank's message reaches every process as a sum of byte values.
        var message = [Double](repeating: 0, count: 1024)
        if rank == first {
            let mine = text.split(separator: "\n", omittingEmptySubsequences: false)
            let theirs = reference.split(separator: "\n", omittingEmptySubsequences: false)
            let line =
                zip(mine, theirs).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(mine.count, theirs.count)
            let own = line < mine.count ? mine[line].trimmingCharacters(in: .whitespaces) : "(nothing)"
            let zero = line < theirs.count ? theirs[line].trimmingCharacters(in: .whitespaces) : "(nothing)"
            let text = "line \(line + 1) is \(own) there and \(zero) on rank 0"
            for (index, byte) in text.utf8.prefix(message.count).enumerated() { message[index] = Double(byte) }
        }
        let bytes = sum(message).prefix { $0 != 0 }.map { UInt8($0) }
        let others = ranks.indices.filter { ranks[$0] > 0 && $0 != first }
        throw TrainingError.mismatch(
            "Rank \(first)'s \(what) differs from rank 0's (\(String(decoding: bytes, as: UTF8.self)))"
                + (others.isEmpty ? "" : "; so do rank(s) \(others.map(String.init).joined(separator: ", "))'s")
                + ": every rank must run the same command on the same data.")
    }
}
