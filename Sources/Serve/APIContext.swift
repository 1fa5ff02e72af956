import Hummingbird
import Store
import Synchronization

/// A request's context: the key that made it (set by ``APIKeyMiddleware``), and what a write
/// names, for the audit.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated key; nil before authentication and on the open routes.
    public var key: APIKey?
    /// What the handler of a write says it acted on (a set's name, a measurement's id).
    public let auditTarget = AuditTarget()
    /// The pages' session (``PageMiddleware``); nil on the API and before a page's first visit.
    var session: PageSession?
    /// A page's POSTed form, read and its CSRF token checked by ``PageMiddleware``.
    var form = FormFields()

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// The key, when it has at least `role`.
    /// - Throws: ``APIError`` 401 without a key, 403 with a key of a lesser role.
    public func require(_ role: APIRole) throws -> APIKey {
        guard let key else { throw APIError(.unauthorized, "an API key is required") }
        guard key.role >= role else {
            throw APIError(.forbidden, "key '\(key.name)' has role \(key.role.rawValue); this needs \(role.rawValue)")
        }
        return key
    }

    /// The key, when it has at least `role` and is not limited to one organisation's domains.
    /// - Throws: as ``require(_:)``, and 403 for a key limited by tag.
    public func requireUnlimited(_ role: APIRole, _ what: String) throws -> APIKey {
        let key = try require(role)
        if let tag = key.tag { throw APIError(.forbidden, "key '\(key.name)' is limited to the domains tagged \(tag); it may not \(what)") }
        return key
    }
}

/// What a write acted on, filled in by its handler and read by the audit afterwards.
public final class AuditTarget: Sendable {
    let value = Mutex<String?>(nil)

    /// Records what the write acts on.
    public func set(_ target: String) {
        value.withLock { $0 = target }
    }

    var current: String? { value.withLock { $0 } }
}
