/// A token bucket: `capacity` tokens, refilled at `refillPerSecond`; each spend takes one.
/// Pure: the caller passes the instant.
struct TokenBudget: Equatable, Sendable {
    let capacity: Double
    let refillPerSecond: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant?

    init(capacity: Int, refillPerSecond: Double) {
        self.capacity = Double(capacity)
        self.refillPerSecond = refillPerSecond
        tokens = Double(capacity)
    }

    /// Whether a whole token is there at `now`.
    mutating func available(now: ContinuousClock.Instant) -> Bool {
        refill(now: now)
        return tokens >= 1
    }

    /// Takes one token at `now` (never below zero).
    mutating func spend(now: ContinuousClock.Instant) {
        refill(now: now)
        tokens = max(0, tokens - 1)
    }

    private mutating func refill(now: ContinuousClock.Instant) {
        defer { updated = now }
        guard let updated, now > updated else { return }
        let elapsed = now - updated
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        tokens = min(capacity, tokens + seconds * refillPerSecond)
    }
}
