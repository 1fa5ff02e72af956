/// Decides which of many like events get a log line: at most `linesPerWindow` per `window`;
/// the rest are counted and the next line says how many were left out. Pure: the caller gives
/// the time.
public struct RateLimitedLog: Sendable {
    public enum Decision: Equatable, Sendable {
        /// Log this one; `suppressed` like events were not logged since the last line.
        case log(suppressed: Int)
        case suppress
    }

    public let linesPerWindow: Int
    public let window: Duration
    private var windowStart: ContinuousClock.Instant?
    private var linesInWindow = 0
    private var suppressed = 0

    public init(linesPerWindow: Int, window: Duration) {
        self.linesPerWindow = linesPerWindow
        self.window = window
    }

    /// One event at `now`: whether to log it.
    public mutating func admit(now: ContinuousClock.Instant) -> Decision {
        if let start = windowStart, now - start < window {
            guard linesInWindow < linesPerWindow else {
                suppressed &+= 1
                return .suppress
            }
        } else {
            windowStart = now
            linesInWindow = 0
        }
        linesInWindow += 1
        defer { suppressed = 0 }
        return .log(suppressed: suppressed)
    }
}

/// The keys a ``ZAPAuthenticator`` refused, in bounded memory: a total and the last few
/// distinct keys (a ring), however many handshakes with random keys arrive.
public struct RefusedKeys: Sendable, Equatable {
    /// Refusals so far.
    public private(set) var total = 0
    /// The most recent distinct refused keys, oldest first; at most `capacity`.
    public private(set) var recent: [String] = []
    public let capacity: Int

    public init(capacity: Int = 16) {
        self.capacity = max(1, capacity)
    }

    /// Counts a refusal of `key`. - Returns: whether the key was not among the recent ones.
    @discardableResult
    public mutating func record(_ key: String) -> Bool {
        total &+= 1
        if let index = recent.firstIndex(of: key) {
            recent.append(recent.remove(at: index))
            return false
        }
        if recent.count == capacity { recent.removeFirst() }
        recent.append(key)
        return true
    }
}
