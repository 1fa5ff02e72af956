import Coordinator
import CoreMetrics
import Foundation
import Synchronization
import Telemetry

/// A metrics factory for the ingest bench's coordinator that keeps one thing: each claim's
/// duration (the timer ``Coordinator/CoordinatorMetrics/claimDurationLabel``, one value per
/// claim query) with the time it ended. Every other metric goes nowhere.
final class ClaimTimings: MetricsFactory {
    private let timings = Mutex<[(ended: ContinuousClock.Instant, nanoseconds: Int64)]>([])

    /// The durations of the claims that ended inside `window`, in milliseconds, sorted.
    func milliseconds(endedIn window: ClosedRange<ContinuousClock.Instant>) -> [Double] {
        timings.withLock { $0.filter { window.contains($0.ended) }.map { Double($0.nanoseconds) / 1_000_000 } }.sorted()
    }

    /// The share of `window` the claims spent running (``Telemetry/BusyShare``): the claims run
    /// one at a time on the coordinator's claim connection, so near 1 that connection sets the pace.
    func busyShare(within window: ClosedRange<ContinuousClock.Instant>) -> Double {
        BusyShare.share(of: timings.withLock { $0.map { BusyShare.Interval(ended: $0.ended, duration: .nanoseconds($0.nanoseconds)) } },
                        within: window)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> TimerHandler {
        label == CoordinatorMetrics.claimDurationLabel ? ClaimTimer(timings: self) : NOOPMetricsHandler.instance
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> CounterHandler { NOOPMetricsHandler.instance }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> RecorderHandler { NOOPMetricsHandler.instance }
    func destroyCounter(_ handler: CounterHandler) {}
    func destroyRecorder(_ handler: RecorderHandler) {}
    func destroyTimer(_ handler: TimerHandler) {}

    fileprivate func record(nanoseconds: Int64) {
        let now = ContinuousClock.now
        timings.withLock { $0.append((now, nanoseconds)) }
    }
}

private final class ClaimTimer: TimerHandler {
    private let timings: ClaimTimings

    init(timings: ClaimTimings) { self.timings = timings }

    func recordNanoseconds(_ duration: Int64) { timings.record(nanoseconds: duration) }
}
