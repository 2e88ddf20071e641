/// The path an image takes across the sensor: straight moves at constant speed between
/// vertices, each taking `saccadeLength` microseconds.
///
/// N-MNIST (Orchard, Jayawant, Cohen and Thakor 2015, "Converting static image datasets to
/// spiking neuromorphic datasets using saccades", Frontiers in Neuroscience 9:437,
/// doi:10.3389/fnins.2015.00437) was recorded by an ATIS camera on a pan-tilt unit making three
/// saccades of about 100 ms each along a triangle, back to where it started, while the digit
/// stood still on a monitor. `nmnist` is that motion as seen on the sensor: the image moves
/// instead of the camera.
public struct Saccades: Sendable, Hashable {
    /// The image's shifts (x right, y down, in sensor pixels) at the start of each saccade and at
    /// the end of the last one; consecutive vertices are joined by straight moves.
    public var vertices: [(x: Float, y: Float)]
    /// The duration of each saccade in microseconds.
    public var saccadeLength: Int64

    /// A path through `vertices` (at least two), `saccadeLength` microseconds per move.
    public init(vertices: [(x: Float, y: Float)], saccadeLength: Int64) {
        precondition(vertices.count >= 2 && saccadeLength > 0, "A path needs two vertices and time.")
        self.vertices = vertices
        self.saccadeLength = saccadeLength
    }

    /// N-MNIST's three saccades as modelled here: a closed isosceles triangle of small shifts,
    /// (-2, 2) to (0, -2) to (2, 2) and back, so the image never moves more than 2 pixels from
    /// the centre in x nor in y, each move lasting `saccadeLength` (default 100 ms).
    public static func nmnist(saccadeLength: Int64 = 100_000) -> Saccades {
        Saccades(vertices: [(-2, 2), (0, -2), (2, 2), (-2, 2)], saccadeLength: saccadeLength)
    }

    /// The length of the whole path in microseconds.
    public var duration: Int64 { Int64(vertices.count - 1) * saccadeLength }

    /// The shift at `time` microseconds (clamped to the path): on move k, which runs from
    /// t_k = k * saccadeLength, shift = v_k + (t - t_k) / saccadeLength * (v_k+1 - v_k).
    public func shift(at time: Int64) -> (x: Float, y: Float) {
        let clamped = min(max(time, 0), duration)
        let move = min(Int(clamped / saccadeLength), vertices.count - 2)
        let fraction = Float(clamped - Int64(move) * saccadeLength) / Float(saccadeLength)
        let (from, to) = (vertices[move], vertices[move + 1])
        return (from.x + fraction * (to.x - from.x), from.y + fraction * (to.y - from.y))
    }

    /// Paths are equal when their vertices and saccade lengths are.
    public static func == (a: Saccades, b: Saccades) -> Bool {
        a.saccadeLength == b.saccadeLength && a.vertices.count == b.vertices.count
            && zip(a.vertices, b.vertices).allSatisfy { $0.x == $1.x && $0.y == $1.y }
    }

    /// Hashes the vertices and the saccade length.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(saccadeLength)
        for vertex in vertices {
            hasher.combine(vertex.x)
            hasher.combine(vertex.y)
        }
    }
}
