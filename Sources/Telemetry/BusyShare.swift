/// How much of a window a worker spent on timed pieces of work: the ingest bench's measure of
/// how near its one claim connection is to setting the pace (docs/SCALE.md, "Session 41").
public enum BusyShare {
    /// One piece of work: when it ended and how long it took.
    public struct Interval: Sendable, Equatable {
        public var ended: ContinuousClock.Instant
        public var duration: Duration

        public init(ended: ContinuousClock.Instant, duration: Duration) {
            self.ended = ended
            self.duration = duration
        }
    }

    /// The time the intervals overlap `window`, over the window's length: a piece that began
    /// before the window or ended after it counts only for its part inside. For the pieces of
    /// one worker (which never overlap each other) that is the share of the window it was busy,
    /// from 0 to 1. Zero for an empty window; a negative duration counts as none.
    public static func share(of intervals: [Interval], within window: ClosedRange<ContinuousClock.Instant>) -> Double {
        let length = window.upperBound - window.lowerBound
        guard length > .zero else { return 0 }
        var busy = Duration.zero
        for interval in intervals where interval.duration > .zero {
            let start = max(interval.ended - interval.duration, window.lowerBound)
            let end = min(interval.ended, window.upperBound)
            if end > start { busy += end - start }
        }
        return busy / length
    }
}
