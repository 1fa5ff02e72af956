import Foundation
import Hummingbird
import NIOCore
import Store

/// The pages' authentication (every path outside `/api/`): the session of the cookie, its key
/// looked up again on every request (a revoked key ends the session), the key's rate limit,
/// and on every POST the form read and its CSRF token checked against the session's (403 when
/// it is missing or wrong, or when there is no session). Without a key, a page redirects to
/// `/login`. Every POST with a key is audited, as the API's writes are.
struct PageMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let runner: StoreRunner
    let limiter: RateLimiter
    let sessions: PageSessions
    let maxBodyBytes: Int

    /// Paths a browser may reach without logging in.
    static let openPaths: Set<String> = ["/login", PageRoutes.stylePath]

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix(APIRoutes.prefix + "/") || path == APIRoutes.prefix { return try await next(request, context) }
        var context = context
        if let id = PageSessions.cookieValue(request.headers[.cookie]), let session = sessions.session(id) {
            context.session = session
            if let hash = session.keySHA256 {
                if let key = try await runner.run({ try $0.activeAPIKey(secretSHA256: hash) }) {
                    context.key = key
                } else {
                    sessions.remove(session.id)
                    context.session = nil
                }
            }
        }
        if request.method == .post {
            guard let session = context.session else { throw APIError(.forbidden, "this form has no session: reload the page (and log in)") }
            let buffer: ByteBuffer
            do { buffer = try await request.body.collect(upTo: maxBodyBytes) } catch is NIOTooManyBytesError {
                throw APIError(.contentTooLarge, "request body over \(maxBodyBytes) bytes")
            }
            let form = FormFields(parsing: String(decoding: buffer.readableBytesView, as: UTF8.self))
            guard PageSessions.constantTimeEqual(form["csrf"] ?? "", session.csrfToken) else {
                throw APIError(.forbidden, "the form's CSRF token is missing or wrong: reload the page and send it again")
            }
            context.form = form
        }
        if let key = context.key, limiter.take(key.id) != nil {
            throw APIError(.tooManyRequests, "key '\(key.name)' is over its rate limit: wait a moment")
        }
        guard let key = context.key else {
            if Self.openPaths.contains(path) { return try await next(request, context) }
            return Response(status: .seeOther, headers: [.location: "/login"])
        }
        guard request.method == .post else { return try await next(request, context) }
        let status: Int
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            try await audit(key, path, context, status)
            return response
        } catch {
            try await audit(key, path, context, Int(APIError.from(error)?.status.code ?? 500))
            throw error
        }
    }

    func audit(_ key: APIKey, _ path: String, _ context: APIContext, _ status: Int) async throws {
        let target = context.auditTarget.current
        try await runner.run { try $0.recordAudit(keyID: key.id, method: "POST", path: path, target: target, status: status) }
    }
}
