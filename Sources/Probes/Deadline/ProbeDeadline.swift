import Synchronization

/// A flag a probe's owner raises to stop it early (the agent's task deadline or its drain).
/// Blocking probes poll it between steps; raising it is safe from any thread.
public final class ProbeCancellation: Sendable {
    private let raised = Atomic<Bool>(false)

    public init() {}

    public func cancel() { raised.store(true, ordering: .relaxed) }
    public var isCancelled: Bool { raised.load(ordering: .relaxed) }
}

/// The end of the time a task may spend probing: an instant, and a cancellation that may end
/// it sooner. Every wait of a probe that takes one is clamped to it, and every step checks it,
/// so a probe returns by the deadline (plus at most one clamped wait after a cancellation).
public struct ProbeDeadline: Sendable {
    public let instant: ContinuousClock.Instant
    public let cancellation: ProbeCancellation?

    public init(_ instant: ContinuousClock.Instant, cancellation: ProbeCancellation? = nil) {
        self.instant = instant
        self.cancellation = cancellation
    }

    /// No end in practice: for callers outside the agent (the `scan` command, tests).
    public static var unbounded: ProbeDeadline { ProbeDeadline(.now + .seconds(365 * 24 * 3600)) }

    /// The deadline has passed or the probe was cancelled.
    public var isReached: Bool { cancellation?.isCancelled == true || ContinuousClock.now >= instant }

    /// What is left (zero once reached).
    public var remaining: Duration { isReached ? .zero : max(.zero, ContinuousClock.now.duration(to: instant)) }

    /// `timeout`, shortened to what is left.
    public func clamp(_ timeout: Duration) -> Duration { min(timeout, remaining) }

    /// Why a probe stopped at this deadline, for its evidence.
    public var reason: String { cancellation?.isCancelled == true ? "probe cancelled (agent stopping or task deadline)" : "task deadline reached" }
}
