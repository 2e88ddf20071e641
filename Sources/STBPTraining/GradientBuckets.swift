import Foundation
import STBPAutodiff
import STBPTensor

/// Sums parameter gradients over the processes of a `ProcessGroup` while the backward pass
/// runs, in buckets: in the spirit of PyTorch DDP's buckets and Horovod's tensor fusion.
///
/// The parameters are packed, last first (the order in which the backward pass finishes them),
/// into flat buffers of about `capacity` bytes. Each gradient is copied into its place, scaled
/// by the process's share of the global batch (n_rank / N, so that the sum is the gradient of
/// the mean loss over the global batch); a bucket whose gradients are all in starts its sum at
/// once, and buckets start in bucket order on every process (as collectives must), a finished
/// bucket waiting for the ones before it. `finish` waits for the sums and sets every
/// `Parameter.gradient` to its sum.
final class GradientBuckets {
    struct Slot {
        let bucket: Int
        let offset: Int
        let parameter: Parameter
    }

    let group: any ProcessGroup
    /// Each bucket's flat buffer (Float32) and its parameters' slots.
    private(set) var buffers: [UnsafeMutableBufferPointer<Float>] = []
    private var members: [[Slot]] = []
    private var slots: [ObjectIdentifier: Slot] = [:]
    private var missing: [Int] = []
    private var pending: [(any PendingSum)?] = []
    private var started = 0
    private var scale: Float = 1
    /// Seconds spent in `finish` waiting for sums (communication not hidden by the backward pass),
    /// summed over steps.
    private(set) var waitSeconds = 0.0
    /// Bytes reduced per step (every bucket's buffer).
    var bytesPerStep: Int { buffers.reduce(0) { $0 + $1.count * MemoryLayout<Float>.stride } }

    /// Buckets of about `capacity` bytes over `parameters` (in the network's order).
    init(parameters: [Parameter], group: any ProcessGroup, capacity: Int) {
        self.group = group
        var current: [Slot] = []
        var size = 0
        for parameter in parameters.reversed() {
            let count = parameter.value.count
            if size > 0 && (size + count) * MemoryLayout<Float>.stride > capacity {
                close(current, size)
                current = []
                size = 0
            }
            current.append(Slot(bucket: members.count, offset: size, parameter: parameter))
            size += count
        }
        if !current.isEmpty { close(current, size) }
        for bucket in members { for slot in bucket { slots[ObjectIdentifier(slot.parameter)] = slot } }
    }

    private func close(_ bucket: [Slot], _ size: Int) {
        members.append(bucket)
        buffers.append(UnsafeMutableBufferPointer<Float>.allocate(capacity: size))
    }

    deinit {
        for buffer in buffers { buffer.deallocate() }
    }

    /// Starts a step whose gradients are to be scaled by `scale` (n_rank / N).
    func begin(scale: Float) {
        precondition(pending.allSatisfy { $0 == nil } || started == 0, "The previous step's sums were not finished.")
        self.scale = scale
        missing = members.map(\.count)
        pending = Array(repeating: nil, count: members.count)
        started = 0
    }

    /// Takes `parameter`'s final gradient of this step (`Tape.onParameterGradient`).
    func add(_ parameter: Parameter, _ gradient: Tensor) {
        guard let slot = slots[ObjectIdentifier(parameter)] else { return }
        precondition(gradient.count == parameter.value.count, "A gradient does not match its parameter's size.")
        let target = buffers[slot.bucket].baseAddress! + slot.offset
        let scale = self.scale
        gradient.withUnsafeBufferPointer { source in
            for index in 0..<source.count { target[index] = source[index] * scale }
        }
        missing[slot.bucket] -= 1
        startReadyBuckets()
        group.progress()
    }

    /// Adds zeros for every parameter not added yet (a process without samples in this batch).
    func addZerosForTheRest() {
        for bucket in members.indices where missing[bucket] > 0 {
            buffers[bucket].update(repeating: 0)
            missing[bucket] = 0
        }
        startReadyBuckets()
    }

    private func startReadyBuckets() {
        while started < members.count && missing[started] == 0 {
            pending[started] = group.startSum(buffers[started])
            started += 1
        }
    }

    /// Waits for every bucket's sum and sets each parameter's gradient to its sum.
    func finish() {
        precondition(started == members.count, "A gradient was never reported to the buckets.")
        let clock = MonotonicClock.now
        for index in pending.indices {
            pending[index]?.wait()
            pending[index] = nil
        }
        waitSeconds += MonotonicClock.now - clock
        for (bucket, buffer) in zip(members, buffers) {
            for slot in bucket {
                let count = slot.parameter.value.count
                slot.parameter.gradient = Tensor(shape: slot.parameter.value.shape) { out in
                    out.baseAddress!.update(from: buffer.baseAddress! + slot.offset, count: count)
                }
            }
        }
        started = 0
    }
}
