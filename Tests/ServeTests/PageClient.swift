import Foundation
import Hummingbird
import Serve
import XCTest

/// One answer of a page.
struct PageAnswer: Sendable {
    var status: Int
    var headers: HTTPFields
    var text: String

    /// The CSRF token of the page's first form.
    var csrf: String? { PageClient.csrfToken(in: text) }
}

/// A browser for the tests: it keeps the session cookie and the last CSRF token it saw.
final class PageClient: @unchecked Sendable {
    let client: RouterClient
    var cookie: String?
    var csrf: String?

    init(client: RouterClient) {
        self.client = client
    }

    func get(_ uri: String) async throws -> PageAnswer {
        try await send(.get, uri, body: nil)
    }

    /// POSTs `fields` as a form with the last CSRF token seen (`csrf` given: that one; "" none).
    func post(_ uri: String, _ fields: [(String, String)], csrf: String? = nil) async throws -> PageAnswer {
        let token = csrf ?? self.csrf ?? ""
        var pairs = fields
        if !token.isEmpty { pairs.append(("csrf", token)) }
        return try await send(.post, uri, body: Self.encode(pairs))
    }

    func send(_ method: HTTPRequest.Method, _ uri: String, body: String?) async throws -> PageAnswer {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let answer = PageAnswer(status: Int(response.status.code), headers: response.headers, text: response.text)
        if let setCookie = response.headers[.setCookie], let pair = setCookie.split(separator: ";").first {
            cookie = pair.hasSuffix("=") ? nil : String(pair)
        }
        if let token = answer.csrf { csrf = token }
        return answer
    }

    /// Logs in with `key`: the login page (a session and its token), then the form. Returns the answer to the form.
    @discardableResult
    func login(_ key: String) async throws -> PageAnswer {
        _ = try await get("/login")
        let answer = try await post("/login", [("key", key)])
        if answer.status == 303 { _ = try await get("/measurements") }
        return answer
    }

    static func encode(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { ($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") + "=" + ($1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "") }
            .joined(separator: "&")
    }

    /// The CSRF token of the first form in `page`.
    static func csrfToken(in page: String) -> String? {
        firstMatch(#"name="csrf" value="([0-9a-f]{64})""#, in: page)
    }

    static func firstMatch(_ pattern: String, in text: String) -> String? {
        guard let expression = try? NSRegularExpression(pattern: pattern),
              let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }
}

extension APITestCase {
    /// The dashboard's CSP, as every page must carry it.
    static let pageCSP = "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    /// Runs `body` with a fresh browser (no cookie) per call of `browser()` over one application.
    func withPages(_ body: @escaping @Sendable (_ browser: @Sendable () -> PageClient) async throws -> Void) async throws {
        let router = try ServeApplication.router(store: store, configuration: configuration())
        let client = RouterClient(router: router)
        try await body { PageClient(client: client) }
    }

    /// Checks the headers every page carries.
    func assertPageHeaders(_ answer: PageAnswer, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(answer.headers[.contentSecurityPolicy], Self.pageCSP, what, file: file, line: line)
        XCTAssertEqual(answer.headers[.xContentTypeOptions], "nosniff", what, file: file, line: line)
        XCTAssertEqual(answer.headers[.init("X-Frame-Options")!], "DENY", what, file: file, line: line)
    }
}
