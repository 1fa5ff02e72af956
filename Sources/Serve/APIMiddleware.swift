import Foundation
import Hummingbird
import Logging
import NIOCore
import Store

/// The outermost middleware: every error becomes the API's JSON error answer (``APIError``;
/// an unexpected one is logged and answered 500 without details), or on a page (any path
/// outside `/api/`) an HTML page saying the same; and every answer carries the security
/// headers (a CSP that allows nothing, on pages nothing but their own style sheet and forms;
/// no framing, no sniffing, no caching).
struct APIErrorMiddleware: RouterMiddleware {
    typealias Context = APIContext

    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
        .xContentTypeOptions: "nosniff",
        .cacheControl: "no-store",
    ]

    /// The pages' headers: their CSP allows the one style sheet (`/assets/style.css`) and forms
    /// posting to the server itself; no script, image, font, frame or connection.
    static let pageSecurityHeaders: HTTPFields = [
        .contentSecurityPolicy: PageHTML.contentSecurityPolicy,
        .xContentTypeOptions: "nosniff",
        .cacheControl: "no-store",
        .init("X-Frame-Options")!: "DENY",
        .init("Referrer-Policy")!: "no-referrer",
    ]

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let isPage = !(path.hasPrefix(APIRoutes.prefix + "/") || path == APIRoutes.prefix)
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let known = APIError.from(error)
            if known == nil { context.logger.error("\(request.method) \(request.uri.path) failed: \(String(reflecting: error))") }
            let error = known ?? APIError(.internalServerError, "internal error")
            response = isPage ? PageHTML.errorResponse(error, context: context) : try error.response(from: request, context: context)
        }
        for field in (isPage ? Self.pageSecurityHeaders : Self.securityHeaders) where response.headers[field.name] == nil {
            response.headers.append(field)
        }
        return response
    }
}

/// Bearer authentication (`Authorization: Bearer peil_…`), the per-key rate limit and the audit
/// of every write. Missing, unknown or revoked keys are 401; a key over its rate is 429 with
/// `Retry-After`. The OpenAPI document is open to all.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let runner: StoreRunner
    let limiter: RateLimiter
    let openPaths: Set<String>

    static let challenge: HTTPFields = [.wwwAuthenticate: "Bearer realm=\"peil\""]

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix(APIRoutes.prefix + "/") || path == APIRoutes.prefix else { return try await next(request, context) }
        if openPaths.contains(path) { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError(.unauthorized, "an API key is required: Authorization: Bearer <key>", headers: Self.challenge)
        }
        let hash = APISecret.sha256(String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces))
        guard let key = try await runner.run({ try $0.activeAPIKey(secretSHA256: hash) }) else {
            throw APIError(.unauthorized, "unknown or revoked API key", headers: Self.challenge)
        }
        if let wait = limiter.take(key.id) {
            let seconds = max(1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18).rounded(.up)))
            throw APIError(.tooManyRequests, "key '\(key.name)' is over its rate limit", headers: [.retryAfter: String(seconds)])
        }
        var context = context
        context.key = key
        guard request.method != .get && request.method != .head else { return try await next(request, context) }
        let status: Int
        do {
            let response = try await next(request, context)
            status = response.status.code
            try await audit(key, request, context, status)
            return response
        } catch {
            try await audit(key, request, context, APIError.from(error)?.status.code ?? 500)
            throw error
        }
    }

    func audit(_ key: APIKey, _ request: Request, _ context: APIContext, _ status: Int) async throws {
        let method = request.method.rawValue, path = request.uri.path, target = context.auditTarget.current
        try await runner.run { try $0.recordAudit(keyID: key.id, method: method, path: path, target: target, status: status) }
    }
}

extension Request {
    /// The JSON body of the operation `method path` (the document's template), checked against
    /// its schema and decoded.
    /// - Throws: ``APIError`` 413 over `limit` bytes, 400 for a body that is not JSON or does
    ///   not fit the schema (each problem named: an unknown field, a missing one, a wrong type).
    func decodeJSON<Body: Decodable>(_ type: Body.Type, _ method: String, _ path: String, document: OpenAPIDocument, limit: Int) async throws -> Body {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "request body over \(limit) bytes")
        }
        let data = Data(buffer: buffer)
        let value: JSONValue
        do { value = try JSONValue.parse(data) } catch { throw APIError(.badRequest, "\(error)") }
        guard let schema = document.requestSchema(method, path) else { throw APIError(.internalServerError, "\(method) \(path) has no request schema") }
        let problems = document.validator.problems(value, against: schema)
        guard problems.isEmpty else { throw APIError(.badRequest, "the request body does not fit the schema", problems: problems) }
        do {
            return try JSONDecoder().decode(Body.self, from: data)
        } catch {
            throw APIError(.badRequest, "the request body does not fit the schema: \(error)")
        }
    }
}
