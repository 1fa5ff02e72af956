import Foundation
import Synchronization

/// One browser's session with the pages: the key it logged in with (by the SHA-256 of its
/// secret, so the key is looked up, and a revoked one refused, on every request) and the token
/// every form of the session carries (CSRF). Before login a session has no key: its token
/// protects the login form itself.
struct PageSession: Sendable, Hashable {
    /// The cookie's value: 32 random bytes, hex.
    var id: String
    var keySHA256: String?
    var csrfToken: String
    var lastUsed: Date
}

/// The sessions of the pages, held in memory on the server (a restart logs everyone out): a
/// cookie carries only a random id. A session unused for `idleTimeout` ends; at most
/// `capacity` are kept (the least recently used goes first).
final class PageSessions: Sendable {
    static let cookieName = "peil_session"
    let idleTimeout: TimeInterval
    let capacity: Int
    private let sessions = Mutex<[String: PageSession]>([:])

    init(idleTimeout: TimeInterval = 8 * 3600, capacity: Int = 10_000) {
        self.idleTimeout = idleTimeout
        self.capacity = capacity
    }

    /// The session of `id`, when it exists and has not timed out; marks it used.
    func session(_ id: String, now: Date = Date()) -> PageSession? {
        sessions.withLock { all in
            guard var session = all[id] else { return nil }
            guard now.timeIntervalSince(session.lastUsed) < idleTimeout else {
                all[id] = nil
                return nil
            }
            session.lastUsed = now
            all[id] = session
            return session
        }
    }

    /// A new session (with a new id and token) for `keySHA256` (nil: not logged in).
    func create(keySHA256: String?, now: Date = Date()) -> PageSession {
        let session = PageSession(id: Self.randomToken(), keySHA256: keySHA256, csrfToken: Self.randomToken(), lastUsed: now)
        sessions.withLock { all in
            if all.count >= capacity {
                all = all.filter { now.timeIntervalSince($0.value.lastUsed) < idleTimeout }
                if all.count >= capacity, let oldest = all.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key { all[oldest] = nil }
            }
            all[session.id] = session
        }
        return session
    }

    /// Ends session `id`.
    func remove(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// 32 bytes from the system's random source, as 64 hex digits.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return APISecret.hex((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// Whether `a` and `b` are equal, compared in time that depends on their lengths only.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The `Set-Cookie` value for session `id` (`Secure` when served over TLS; `HttpOnly`,
    /// `SameSite=Strict`, path `/`); nil `id` expires the cookie.
    static func setCookie(_ id: String?, secure: Bool) -> String {
        let value = id.map { "\(cookieName)=\($0)" } ?? "\(cookieName)=; Max-Age=0"
        return value + "; Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// The session id in a `Cookie` header, if any.
    static func cookieValue(_ header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            if pair.hasPrefix(cookieName + "=") { return String(pair.dropFirst(cookieName.count + 1)) }
        }
        return nil
    }
}
