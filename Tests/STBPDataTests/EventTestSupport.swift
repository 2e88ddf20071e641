import STBPData

/// A hand-written recording helper: events at (x, y, polarity, time).
func events(_ list: [(Int, Int, Int, Int64)]) -> [Event] {
    list.map { Event(x: UInt16($0.0), y: UInt16($0.1), polarity: UInt8($0.2), timestamp: $0.3) }
}
