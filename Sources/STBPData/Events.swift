/// One event of a dynamic vision sensor: a pixel whose brightness went up or down at a time.
public struct Event: Sendable, Hashable {
    /// The column, `0..<width` of the sensor.
    public var x: UInt16
    /// The row, `0..<height` of the sensor.
    public var y: UInt16
    /// The polarity: 1 for an increase (ON), 0 for a decrease (OFF). It selects frame channel 1 or 0.
    public var polarity: UInt8
    /// The time in microseconds.
    public var timestamp: Int64

    /// An event at pixel (`x`, `y`) with `polarity` (0 or 1) at `timestamp` microseconds.
    public init(x: UInt16, y: UInt16, polarity: UInt8, timestamp: Int64) {
        self.x = x
        self.y = y
        self.polarity = polarity
        self.timestamp = timestamp
    }
}

/// The events of one recording, in file order, with the size of the sensor that made them.
public struct EventRecording: Sendable, Equatable {
    /// The sensor width in pixels (34 for N-MNIST, 128 for DVS128 recordings).
    public var width: Int
    /// The sensor height in pixels.
    public var height: Int
    /// The events in the order they were stored.
    public var events: [Event]

    /// A recording of `events` made by a `width` x `height` sensor.
    public init(width: Int, height: Int, events: [Event]) {
        self.width = width
        self.height = height
        self.events = events
    }
}
