import Foundation
import STBPTensor

/// Turns a still grayscale image into an event recording the way N-MNIST was made: the image
/// moves along `saccades` over the sensor and an event camera (`EventCameraPixels`) watches it.
///
/// The image is centred on the `sensorSize` x `sensorSize` sensor (a 28x28 MNIST digit on the
/// 34x34 N-MNIST sensor has 3 pixels around it), shifted by the path at each time step and
/// rendered with bilinear interpolation (`BilinearShift`); each pixel sees
/// L = ln(blackLevel + I). Polarity 1 is ON (brighter), 0 is OFF, as `Event` and the N-MNIST
/// reader have it; timestamps are in microseconds, 0...duration from the start of the first saccade. The same
/// image, options and seed always give the same recording.
public struct EventCameraSimulator: Sendable {
    /// The pixel model's settings.
    public var options: EventCameraOptions
    /// The image's path over the sensor (default N-MNIST's three saccades).
    public var saccades: Saccades
    /// The sensor width and height in pixels (default 34, N-MNIST's).
    public var sensorSize: Int

    /// A simulator with `options`, moving images along `saccades` on a `sensorSize` sensor.
    public init(
        options: EventCameraOptions = EventCameraOptions(), saccades: Saccades = .nmnist(),
        sensorSize: Int = NMNISTFormat.sensorSize
    ) {
        precondition(sensorSize > 0, "The sensor needs pixels.")
        options.checkRanges()
        self.options = options
        self.saccades = saccades
        self.sensorSize = sensorSize
    }

    /// The recording of the `width` x `height` image `intensities` (row major, values in [0, 1])
    /// with random draws (threshold mismatch, jitter) from `seed`, events sorted by time.
    public func record(_ intensities: [Float], width: Int, height: Int, seed: UInt64) -> EventRecording {
        precondition(width > 0 && height > 0 && intensities.count == width * height, "The image size is wrong.")
        var generator = SeededGenerator(seed: seed)
        let centreLeft = Float(sensorSize - width) / 2
        let centreTop = Float(sensorSize - height) / 2
        var frame = [Float](repeating: 0, count: sensorSize * sensorSize)
        func logFrame(at time: Int64) -> [Float] {
            let shift = saccades.shift(at: time)
            BilinearShift.render(
                intensities, width: width, height: height, left: centreLeft + shift.x, top: centreTop + shift.y,
                sensorSize: sensorSize, into: &frame)
            return frame.map { log(options.blackLevel + $0) }
        }
        var pixels = EventCameraPixels(
            logIntensity: logFrame(at: 0), width: sensorSize, height: sensorSize, options: options,
            using: &generator)
        var events: [Event] = []
        var time: Int64 = 0
        while time < saccades.duration {
            time = min(time + options.timeStep, saccades.duration)
            pixels.advance(to: logFrame(at: time), at: time, into: &events)
        }
        return EventRecording(
            width: sensorSize, height: sensorSize, events: jittered(events, using: &generator))
    }

    /// `events` with Normal(0, timestampJitter) added to each timestamp (kept in
    /// 0...duration), sorted by time; ties keep the order the events were made in.
    func jittered(_ events: [Event], using generator: inout SeededGenerator) -> [Event] {
        var moved = events
        if options.timestampJitter > 0 {
            for i in moved.indices {
                let noise = Int64((options.timestampJitter * generator.nextNormal()).rounded())
                moved[i].timestamp = min(max(moved[i].timestamp + noise, 0), saccades.duration)
            }
        }
        return moved.enumerated().sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }
            .map(\.element)
    }
}
