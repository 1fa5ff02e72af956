import Synchronization

/// A token bucket per key: `burst` requests at once, refilled at `perSecond`. Pure arithmetic
/// over the instants it is given (``TokenBuckets``), shared by the server behind a lock.
public struct TokenBuckets: Sendable {
    public let burst: Double
    public let perSecond: Double
    var buckets: [Int64: (tokens: Double, at: ContinuousClock.Instant)] = [:]

    public init(burst: Double, perSecond: Double) {
        self.burst = burst
        self.perSecond = perSecond
    }

    /// Takes one token of `key`'s bucket at `now`: nil when it had one, else how long until it will.
    public mutating func take(_ key: Int64, now: ContinuousClock.Instant) -> Duration? {
        var bucket = buckets[key] ?? (tokens: burst, at: now)
        let elapsed = bucket.at < now ? now - bucket.at : .zero
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        bucket.tokens = min(burst, bucket.tokens + seconds * perSecond)
        bucket.at = now
        defer { buckets[key] = bucket }
        guard bucket.tokens >= 1 else {
            return .milliseconds(Int64(((1 - bucket.tokens) / perSecond * 1000).rounded(.up)))
        }
        bucket.tokens -= 1
        return nil
    }
}

/// ``TokenBuckets`` behind a lock, for the requests of every connection.
final class RateLimiter: Sendable {
    let buckets: Mutex<TokenBuckets>

    init(burst: Double, perSecond: Double) {
        buckets = Mutex(TokenBuckets(burst: burst, perSecond: perSecond))
    }

    /// nil when `key` may make a request now, else the wait before it may.
    func take(_ key: Int64) -> Duration? {
        buckets.withLock { $0.take(key, now: .now) }
    }
}
