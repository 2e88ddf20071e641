import STBPTensor

/// The pixels of a simulated event camera: each remembers the log intensity of its last event
/// (its reference) and fires when the present log intensity has moved a threshold away from it.
///
/// Feed it log-intensity frames in time order with `advance(to:at:into:)`. Between two frames a
/// pixel's log intensity is taken to change linearly, so a crossing of level
/// ref + k C_p (k = 1, 2, ...) between frames at t0 (value L0) and t1 (value L1) happens at
/// t = t0 + (t1 - t0) (ref + k C_p - L0) / (L1 - L0), floored to a microsecond.
public struct EventCameraPixels: Sendable {
    /// The sensor width.
    public let width: Int
    /// The sensor height.
    public let height: Int
    /// Each pixel's contrast threshold C_p, row major.
    public let thresholds: [Float]
    /// The settings (the threshold mean and mismatch were used to draw `thresholds`).
    public let options: EventCameraOptions
    /// Each pixel's reference log intensity.
    private var reference: [Float]
    /// The log intensities of the last frame.
    private var last: [Float]
    /// The time of the last frame in microseconds.
    private var lastTime: Int64
    /// Each pixel's last emitted event time, or nil before its first.
    private var lastEvent: [Int64?]

    /// Pixels whose references start at `logIntensity` (row major, `width` x `height`) at
    /// `time`; thresholds are drawn C_p = max(C + sigma z, minimumThreshold), z ~ Normal(0, 1),
    /// with `generator`.
    public init(
        logIntensity: [Float], width: Int, height: Int, time: Int64 = 0, options: EventCameraOptions,
        using generator: inout SeededGenerator
    ) {
        precondition(width > 0 && height > 0 && logIntensity.count == width * height, "Frame size mismatch.")
        options.checkRanges()
        self.width = width
        self.height = height
        self.options = options
        thresholds = (0..<width * height).map { _ in
            let draw = options.thresholdMismatch > 0 ? options.thresholdMismatch * generator.nextNormal() : 0
            return max(options.contrastThreshold + draw, EventCameraOptions.minimumThreshold)
        }
        reference = logIntensity
        last = logIntensity
        lastTime = time
        lastEvent = Array(repeating: nil, count: width * height)
    }

    /// Moves to the frame `logIntensity` at `time` (after the last frame) and appends the events
    /// of every threshold crossing since the last frame to `events`, pixel by pixel; a crossing
    /// within the refractory period of the pixel's last event moves the reference but emits none.
    public mutating func advance(to logIntensity: [Float], at time: Int64, into events: inout [Event]) {
        precondition(logIntensity.count == width * height && time > lastTime, "Frames must match and move on.")
        let span = Float(time - lastTime)
        for pixel in 0..<(width * height) {
            let (from, to) = (last[pixel], logIntensity[pixel])
            let threshold = thresholds[pixel]
            while abs(to - reference[pixel]) >= threshold {
                let rising = to > reference[pixel]
                reference[pixel] += rising ? threshold : -threshold
                // The crossing lies between the frames: interpolate its time (t0 when from == to).
                let fraction = to == from ? 0 : min(max((reference[pixel] - from) / (to - from), 0), 1)
                let when = lastTime + Int64((fraction * span).rounded(.down))
                if let previous = lastEvent[pixel], when - previous < options.refractoryPeriod { continue }
                lastEvent[pixel] = when
                events.append(
                    Event(
                        x: UInt16(pixel % width), y: UInt16(pixel / width), polarity: rising ? 1 : 0, timestamp: when))
            }
        }
        last = logIntensity
        lastTime = time
    }
}
