/// Renders a grayscale image onto a sensor at a sub-pixel position by bilinear interpolation.
enum BilinearShift {
    /// The `sensorSize` x `sensorSize` intensities seen when the `width` x `height` image (row
    /// major) has its top-left pixel at (`left`, `top`) on the sensor; outside the image is 0.
    ///
    /// Sensor pixel (x, y) samples the image at u = x - left, v = y - top:
    /// I = (1-fu)(1-fv) I[v0][u0] + fu(1-fv) I[v0][u0+1] + (1-fu)fv I[v0+1][u0] + fu fv I[v0+1][u0+1],
    /// with u0 = floor(u), fu = u - u0 (likewise v).
    static func render(
        _ image: [Float], width: Int, height: Int, left: Float, top: Float, sensorSize: Int, into out: inout [Float]
    ) {
        func pixel(_ u: Int, _ v: Int) -> Float {
            u >= 0 && u < width && v >= 0 && v < height ? image[v * width + u] : 0
        }
        for y in 0..<sensorSize {
            let v = Float(y) - top
            let v0 = v.rounded(.down)
            let fv = v - v0
            let row = Int(v0)
            for x in 0..<sensorSize {
                let u = Float(x) - left
                let u0 = u.rounded(.down)
                let fu = u - u0
                let column = Int(u0)
                let upper = (1 - fu) * pixel(column, row) + fu * pixel(column + 1, row)
                let lower = (1 - fu) * pixel(column, row + 1) + fu * pixel(column + 1, row + 1)
                out[y * sensorSize + x] = (1 - fv) * upper + fv * lower
            }
        }
    }
}
