import STBPTensor

/// How a recording becomes frames `[T, 2, H, W]`: T bins by equal time or equal event count,
/// counts or clipped to 1, optional downsampling and time window.
///
/// Bins follow SpikingJelly's `integrate_events_by_fixed_frames_number` (its
/// `cal_fixed_frames_number_segment_index` and `integrate_events_segment_to_frame`, in
/// `spikingjelly/datasets`), so on the same events the frames are identical. For N events in
/// file order with timestamps t[0..<N] and T frames, frame j counts the events with indices
/// in `j_l[j]..<j_r[j]`:
///
/// - `.eventCount` (SpikingJelly's `split_by='number'`): `d = N / T` (floor);
///   `j_l = d * j`, `j_r = d * (j + 1)`, except `j_r = N` for the last frame.
/// - `.time` (`split_by='time'`): `dt = (t[N-1] - t[0]) / T` (floor); frame j's window is
///   `[t[0] + dt*j, t[0] + dt*(j+1))`; `j_l` is the first index whose timestamp lies in the
///   window and `j_r` one past the last such index, except `j_r = N` for the last frame (so
///   the events after the last full window land in the last frame).
///   Where SpikingJelly raises an IndexError (a window with no events, for example when
///   `dt == 0`), the frame is empty (`j_l = j_r` = the first index at or after the window's
///   start; the last frame still ends at N).
///
/// A frame pixel `[p, y, x]` counts the events of polarity p at (x, y); channel 0 holds
/// polarity 0 (OFF), channel 1 polarity 1 (ON). With `size`, event (x, y) of a W x H sensor
/// goes to output pixel (x * W' / W, y * H' / H) (floors), so each output pixel sums a block
/// of input pixels: exact k x k blocks when the sizes divide (128 -> 32), and blocks of
/// floor(W/W') or ceil(W/W') pixels otherwise (128 -> 48 repeats blocks of 3, 3 and 2 pixels;
/// 128 -> 42 uses 3s and 4s), so every event is counted exactly once. `.binary` clips the
/// (downsampled) counts to 1. A `window` keeps only the events with
/// `t[0] + start <= t < t[0] + start + length` before binning.
public struct EventBinning: Sendable, Hashable {
    /// How the recording is cut into T bins.
    public enum Split: String, Sendable, Hashable, CaseIterable {
        /// Equal time spans (SpikingJelly's 'time').
        case time
        /// Equal numbers of events (SpikingJelly's 'number').
        case eventCount
    }

    /// What a frame pixel holds.
    public enum Values: String, Sendable, Hashable, CaseIterable {
        /// The number of events.
        case counts
        /// 1 where there was at least one event, else 0.
        case binary
    }

    /// A frame size in pixels.
    public struct Size: Sendable, Hashable {
        /// Rows.
        public var height: Int
        /// Columns.
        public var width: Int

        /// A size of `height` rows and `width` columns.
        public init(height: Int, width: Int) {
            precondition(height > 0 && width > 0, "A frame size must be positive, got \(height)x\(width).")
            self.height = height
            self.width = width
        }
    }

    /// A span of time relative to the first event of a recording, in microseconds.
    public struct TimeWindow: Sendable, Hashable {
        /// The start, after the first event's timestamp.
        public var start: Int64
        /// The length.
        public var length: Int64

        /// The window `[t0 + start, t0 + start + length)`.
        public init(start: Int64, length: Int64) {
            precondition(start >= 0 && length > 0, "A time window needs start >= 0 and length > 0.")
            self.start = start
            self.length = length
        }
    }

    /// The number of frames T.
    public var frames: Int
    /// Equal time or equal event count.
    public var split: Split
    /// Counts or clipped to 1.
    public var values: Values
    /// The output size, or nil for the sensor's size. Must not exceed the sensor's size.
    public var size: Size?
    /// The span of the recording to keep, or nil for all of it.
    public var window: TimeWindow?

    /// A binning into `frames` frames.
    public init(
        frames: Int, split: Split = .time, values: Values = .counts, size: Size? = nil, window: TimeWindow? = nil
    ) {
        precondition(frames > 0, "The number of frames must be positive, got \(frames).")
        self.frames = frames
        self.split = split
        self.values = values
        self.size = size
        self.window = window
    }

    /// A string that names every parameter, for cache keys.
    public var key: String {
        let sizeText = size.map { "\($0.height)x\($0.width)" } ?? "sensor"
        let windowText = window.map { "\($0.start)+\($0.length)" } ?? "all"
        return
            "frames=\(frames),split=\(split.rawValue),values=\(values.rawValue),size=\(sizeText),window=\(windowText)"
    }

    /// The frame shape `[T, 2, H, W]` for a sensor of `width` x `height`.
    public func frameShape(sensorWidth: Int, sensorHeight: Int) -> [Int] {
        [frames, 2, size?.height ?? sensorHeight, size?.width ?? sensorWidth]
    }

    /// The frames `[T, 2, H, W]` of `recording`; `path` names its file in errors.
    ///
    /// Throws when the recording (or its time window) holds no events, or when `size` is larger
    /// than the sensor.
    public func frames(_ recording: EventRecording, path: String) throws -> Tensor {
        let sensorWidth = recording.width
        let sensorHeight = recording.height
        let outHeight = size?.height ?? sensorHeight
        let outWidth = size?.width ?? sensorWidth
        guard outHeight <= sensorHeight, outWidth <= sensorWidth else {
            throw DataError(
                .badParameter, path: path,
                "cannot downsample a \(sensorHeight)x\(sensorWidth) sensor to \(outHeight)x\(outWidth) (larger)")
        }
        var events = recording.events
        if let window, let first = events.first {
            let low = first.timestamp + window.start
            let high = low + window.length
            events = events.filter { $0.timestamp >= low && $0.timestamp < high }
        }
        guard !events.isEmpty else {
            throw DataError(
                .empty, path: path,
                window == nil ? "the recording holds no events" : "the time window \(key) holds no events")
        }
        for event in events where Int(event.x) >= sensorWidth || Int(event.y) >= sensorHeight || event.polarity > 1 {
            throw DataError(
                .badEvent, path: path, "event \(event) is outside the \(sensorWidth)x\(sensorHeight) sensor")
        }
        let (lower, upper) = segmentBounds(events.map(\.timestamp))
        let plane = outHeight * outWidth
        let frameSize = 2 * plane
        // Precomputed output column and row of every sensor column and row.
        let columns = (0..<sensorWidth).map { $0 * outWidth / sensorWidth }
        let rows = (0..<sensorHeight).map { $0 * outHeight / sensorHeight }
        let binary = values == .binary
        return Tensor(shape: [frames, 2, outHeight, outWidth]) { out in
            out.initialize(repeating: 0)
            for j in 0..<frames where lower[j] < upper[j] {
                let base = j * frameSize
                for k in lower[j]..<upper[j] {
                    let event = events[k]
                    let index =
                        base + Int(event.polarity) * plane + rows[Int(event.y)] * outWidth + columns[Int(event.x)]
                    out[index] = binary ? 1 : out[index] + 1
                }
            }
        }
    }

    /// SpikingJelly's segment bounds `(j_l, j_r)` for timestamps in file order (see the type's
    /// documentation), with empty frames where SpikingJelly raises.
    package func segmentBounds(_ t: [Int64]) -> (lower: [Int], upper: [Int]) {
        let n = t.count
        let count = frames
        var lower = [Int](repeating: 0, count: count)
        var upper = [Int](repeating: 0, count: count)
        guard n > 0 else { return (lower, upper) }
        switch split {
        case .eventCount:
            let d = n / count
            for j in 0..<count {
                lower[j] = j * d
                upper[j] = (j + 1) * d
            }
        case .time:
            let t0 = t[0]
            let dt = EventBinning.floorDivide(t[n - 1] - t0, Int64(count))
            var first = [Int](repeating: -1, count: count)
            var last = [Int](repeating: -1, count: count)
            if dt > 0 {
                for k in 0..<n where t[k] >= t0 {
                    let j = (t[k] - t0) / dt
                    if j < Int64(count) {
                        let bin = Int(j)
                        if first[bin] < 0 { first[bin] = k }
                        last[bin] = k
                    }
                }
            }
            for j in 0..<count {
                if first[j] >= 0 {
                    lower[j] = first[j]
                    upper[j] = last[j] + 1
                } else {
                    // An empty window: SpikingJelly raises here; this frame stays empty.
                    let start = t0 + dt * Int64(j)
                    let next = t.firstIndex { $0 >= start } ?? n
                    lower[j] = next
                    upper[j] = next
                }
            }
        }
        upper[count - 1] = n
        return (lower, upper)
    }

    /// Python's floor division `a // b` for b > 0.
    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b != 0 && a < 0) ? quotient - 1 : quotient
    }
}
