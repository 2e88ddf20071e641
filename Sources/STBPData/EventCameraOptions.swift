/// The settings of `EventCameraSimulator`: how pixels turn log-intensity changes into events.
///
/// A pixel p with threshold C_p emits an ON event each time its log intensity
/// L = ln(blackLevel + I) rises by C_p above its reference, and an OFF event each time it falls
/// by C_p below it; the reference then moves by C_p towards L (one event per crossing).
public struct EventCameraOptions: Sendable, Hashable {
    /// The mean contrast threshold C, in log-intensity units (default 0.25, about a 28% change).
    public var contrastThreshold: Float = 0.25
    /// The standard deviation of the per-pixel thresholds: C_p ~ Normal(C, sigma), drawn once per
    /// recording and kept above `minimumThreshold` (default 0.03).
    public var thresholdMismatch: Float = 0.03
    /// After an event, a pixel's crossings within this many microseconds are dropped; its
    /// reference still moves, so the change is lost (default 1000 us, 0 for none).
    public var refractoryPeriod: Int64 = 1000
    /// The standard deviation of Gaussian noise added to each timestamp, in microseconds
    /// (default 0); jittered times are kept inside the recording and re-sorted.
    public var timestampJitter: Float = 0
    /// The simulation's time step in microseconds (default 100); crossing times between two
    /// steps are interpolated linearly in log intensity.
    public var timeStep: Int64 = 100
    /// The intensity of a black pixel (default 0.1): a monitor's black is not dark, and it keeps
    /// ln(blackLevel + I) finite. With intensities in [0, 1], black to white is
    /// ln(1.1 / 0.1) = 2.40, so about 9 events per pixel at C = 0.25.
    public var blackLevel: Float = 0.1

    /// The smallest per-pixel threshold a mismatch draw may give.
    public static let minimumThreshold: Float = 0.01

    /// The default options.
    public init() {}

    /// Options with every setting given (each defaults as documented on the properties).
    public init(
        contrastThreshold: Float = 0.25, thresholdMismatch: Float = 0.03, refractoryPeriod: Int64 = 1000,
        timestampJitter: Float = 0, timeStep: Int64 = 100, blackLevel: Float = 0.1
    ) {
        self.contrastThreshold = contrastThreshold
        self.thresholdMismatch = thresholdMismatch
        self.refractoryPeriod = refractoryPeriod
        self.timestampJitter = timestampJitter
        self.timeStep = timeStep
        self.blackLevel = blackLevel
    }

    /// Stops with a message when a setting is out of range (the tool checks its flags first).
    func checkRanges() {
        precondition(
            contrastThreshold.isFinite && contrastThreshold >= Self.minimumThreshold, "Bad contrast threshold.")
        precondition(thresholdMismatch.isFinite && thresholdMismatch >= 0, "Bad threshold mismatch.")
        precondition(refractoryPeriod >= 0 && timeStep > 0, "Bad refractory period or time step.")
        precondition(timestampJitter.isFinite && timestampJitter >= 0, "Bad timestamp jitter.")
        precondition(blackLevel.isFinite && blackLevel > 0, "Bad black level.")
    }
}
