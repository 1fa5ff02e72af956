import PeilModel

/// The security.txt fetch of a `web` task, in Internet.nl's order (`checks/tasks/securitytxt.py`):
/// the well-known path, then the legacy path when the first answered, but not 200. A first
/// request without an answer ends the fetch (Internet.nl's request error does too).
public enum SecurityTxtProbe {
    /// One response to `GET path` (status 200: with its body, bounded); injected so the order
    /// can be tested without sockets.
    public typealias Get = (_ path: String) -> (exchange: HTTPExchange, body: [UInt8], truncated: Bool)

    /// Fetches with `get` at `now` (seconds since 1970).
    public static func fetch(now: Int64, _ get: Get) -> SecurityTxtFetch {
        var last = get(SecurityTxtFetch.wellKnownPath)
        var exchanges = [last.exchange]
        if let status = last.exchange.status, status != 200 {
            last = get(SecurityTxtFetch.legacyPath)
            exchanges.append(last.exchange)
        }
        let found = last.exchange.status == 200
        return SecurityTxtFetch(exchanges: exchanges, body: found ? String(decoding: last.body, as: UTF8.self) : nil,
                                bodyTruncated: found && last.truncated, fetchedAt: now)
    }
}
