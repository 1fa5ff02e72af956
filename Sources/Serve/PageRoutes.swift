import Foundation
import Hummingbird
import Store

/// The dashboard: server-rendered pages over the same handlers' code as the JSON API
/// (``APIRoutes``: its reads, its report, its write actions), behind a login with an API key
/// (docs/DASHBOARD.md lists every page, form and element id).
struct PageRoutes: Sendable {
    let api: APIRoutes
    let sessions: PageSessions
    /// Whether the server speaks TLS (the session cookie is then `Secure`).
    let secure: Bool

    static let stylePath = "/assets/style.css"

    func register(on router: Router<APIContext>) {
        router.get("/", use: { _, _ in PageHTML.redirect("/measurements") })
        router.get(RouterPath(Self.stylePath), use: style)
        router.get("/login", use: loginPage)
        router.post("/login", use: login)
        router.post("/logout", use: logout)
        router.get("/measurements", use: measurementsPage)
        router.post("/measurements", use: startMeasurement)
        router.get("/measurements/:id", use: measurementPage)
        router.post("/measurements/:id/cancel", use: cancelMeasurement)
        router.get("/measurements/:id/report", use: reportPage)
        router.get("/measurements/:id/layers", use: layersPage)
        router.get("/measurements/:id/tags", use: tagsPage)
        router.get("/measurements/:id/domains/:domain", use: domainPage)
        router.post("/measurements/:id/rescans", use: rescan)
        router.get("/measurements/:id/results.csv", use: resultsCSV)
        router.get("/measurements/:id/:file", use: reportCSV)
        router.get("/sets", use: setsPage)
        router.post("/sets", use: importSet)
        router.get("/explanations", use: explanationsPage)
        router.post("/explanations", use: addExplanation)
        router.post("/explanations/:id/expire", use: expireExplanation)
    }

    @Sendable func style(_ request: Request, context: APIContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                 body: .init(byteBuffer: ByteBuffer(string: PageHTML.styleSheet)))
    }

    // MARK: login

    /// `GET /login`: the form (`#login-form`, field `key`); a session without a key is made
    /// here so the form carries a CSRF token.
    @Sendable func loginPage(_ request: Request, context: APIContext) async throws -> Response {
        if context.key != nil { return PageHTML.redirect("/measurements") }
        return loginForm(context, status: .ok, message: nil)
    }

    func loginForm(_ context: APIContext, status: HTTPResponse.Status, message: String?) -> Response {
        var context = context
        var headers: HTTPFields = [:]
        if context.session == nil {
            let session = sessions.create(keySHA256: nil)
            context.session = session
            headers[.setCookie] = PageSessions.setCookie(session.id, secure: secure)
        }
        let body = (message.map { "<p class=\"error\" id=\"error-message\">\(PageHTML.text($0))</p>" } ?? "")
            + "<p>Log in with an API key (<code>peil keys api NAME --role read|analyst|admin</code>).</p>"
            + PageHTML.form("/login", id: "login-form", context,
                            "<label>API key <input type=\"password\" name=\"key\" id=\"key\" autocomplete=\"off\" required></label>",
                            button: "Log in", buttonID: "login")
        return PageHTML.response(PageHTML.page("Log in", context, body), status: status, headers: headers)
    }

    /// `POST /login`: a known, active key starts a new session (a new id: the one before the
    /// login is dropped) and goes to the measurements; another answers 401 with the form.
    @Sendable func login(_ request: Request, context: APIContext) async throws -> Response {
        let secret = (context.form["key"] ?? "").trimmingCharacters(in: .whitespaces)
        let hash = APISecret.sha256(secret)
        guard !secret.isEmpty, let key = try await api.runner.run({ try $0.activeAPIKey(secretSHA256: hash) }) else {
            return loginForm(context, status: .unauthorized, message: "unknown or revoked API key")
        }
        if let old = context.session { sessions.remove(old.id) }
        let session = sessions.create(keySHA256: hash)
        try await api.runner.run { try $0.recordAudit(keyID: key.id, method: "POST", path: "/login", target: "session", status: 303) }
        return PageHTML.redirect("/measurements", headers: [.setCookie: PageSessions.setCookie(session.id, secure: secure)])
    }

    /// `POST /logout`: ends the session and expires its cookie.
    @Sendable func logout(_ request: Request, context: APIContext) async throws -> Response {
        if let session = context.session { sessions.remove(session.id) }
        return PageHTML.redirect("/login", headers: [.setCookie: PageSessions.setCookie(nil, secure: secure)])
    }

    // MARK: helpers

    /// Whether the key may write (analyst or admin), and over whole sets (not tag-limited).
    func mayWrite(_ context: APIContext, wholeSets: Bool = false) -> Bool {
        guard let key = context.key, key.role >= .analyst else { return false }
        return !wholeSets || key.tag == nil
    }

    /// `value` of a path `/measurements/{id}/…` link.
    static func measurementPath(_ id: Int64, _ rest: String = "") -> String { "/measurements/\(id)" + rest }
}
