import Foundation
import PeilModel
import Serve
import Store
import XCTest

/// The dashboard's pages: login and logout, every page for every role with its security
/// headers, CSRF on every POST, read keys refused, the writes through the API's actions.
final class PagesTests: APITestCase, @unchecked Sendable {
    /// A completed measurement over the tagged set (Alpha's a.nl, b.nl; Beta's z.nl) with an explanation of z.nl.
    func measured() throws -> Int64 {
        try importTaggedSet()
        let id = try store.createMeasurement(sets: ["gov"])
        try complete(id)
        _ = try store.addExplanation(domain: try .init(parsing: "z.nl"), column: try BulkColumns.column(named: "web.hsts"),
                                     text: "Beta's reason", by: "beta", until: nil)
        return id
    }

    /// Every page of measurement `id` (and its domain `domain`'s).
    static func pages(_ id: Int64, domain: String = "a.nl") -> [String] {
        ["/measurements", "/measurements/\(id)", "/measurements/\(id)/report", "/measurements/\(id)/layers", "/measurements/\(id)/tags",
         "/measurements/\(id)/tags?by=agency", "/measurements/\(id)/domains/\(domain)", "/sets", "/explanations"]
    }

    static func downloads(_ id: Int64) -> [String] {
        ["/measurements/\(id)/results.csv", "/measurements/\(id)/adoption.csv", "/measurements/\(id)/layers.csv",
         "/measurements/\(id)/domains.csv", "/measurements/\(id)/suppliers.csv"]
    }

    func testLoginSetsASessionCookieAndLogoutEndsIt() async throws {
        let reader = try makeKey("reader", .read)
        try await withPages { browser in
            let page = browser()
            let anonymous = try await page.get("/measurements")
            XCTAssertEqual(anonymous.status, 303)
            XCTAssertEqual(anonymous.headers[.location], "/login")
            let form = try await page.get("/login")
            XCTAssertEqual(form.status, 200)
            XCTAssertTrue(form.text.contains("id=\"login-form\"") && form.text.contains("name=\"key\""))
            let setCookie = try XCTUnwrap(form.headers[.setCookie])
            XCTAssertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && !setCookie.contains("Secure"), setCookie)
            let preLogin = page.cookie

            let wrong = try await page.post("/login", [("key", "peil_" + String(repeating: "0", count: 64))])
            XCTAssertEqual(wrong.status, 401)
            XCTAssertTrue(wrong.text.contains("unknown or revoked API key"))

            let right = try await page.post("/login", [("key", reader)])
            XCTAssertEqual(right.status, 303)
            XCTAssertEqual(right.headers[.location], "/measurements")
            XCTAssertNotEqual(page.cookie, preLogin, "a login starts a new session id")
            let measurements = try await page.get("/measurements")
            XCTAssertEqual(measurements.status, 200)
            XCTAssertTrue(measurements.text.contains("id=\"whoami\""))
            XCTAssertTrue(measurements.text.contains("<b>reader</b>"))

            let stale = PageClient(client: page.client)
            stale.cookie = preLogin
            let fixated = try await stale.get("/measurements")
            XCTAssertEqual(fixated.status, 303, "the session before the login does not become logged in")

            let session = page.cookie
            let out = try await page.post("/logout", [])
            XCTAssertEqual(out.status, 303)
            XCTAssertEqual(out.headers[.location], "/login")
            XCTAssertTrue(out.headers[.setCookie]?.contains("Max-Age=0") ?? false)
            let replay = PageClient(client: page.client)
            replay.cookie = session
            let afterLogout = try await replay.get("/measurements")
            XCTAssertEqual(afterLogout.status, 303, "the ended session's cookie no longer logs in")
        }
    }

    func testARevokedKeysSessionEnds() async throws {
        let reader = try makeKey("reader", .read)
        try await withPages { browser in
            let page = browser()
            try await page.login(reader)
            let before = try await page.get("/sets")
            XCTAssertEqual(before.status, 200)
            _ = try self.store.revokeAPIKey(name: "reader")
            let after = try await page.get("/sets")
            XCTAssertEqual(after.status, 303)
        }
    }

    func testEveryPageRendersForEveryRoleWithItsSecurityHeaders() async throws {
        let id = try measured()
        for role in APIRole.allCases {
            let key = try makeKey("key-\(role.rawValue)", role)
            try await withPages { browser in
                let page = browser()
                try await page.login(key)
                for path in Self.pages(id) {
                    let answer = try await page.get(path)
                    XCTAssertEqual(answer.status, 200, "\(role) \(path): \(answer.text.prefix(300))")
                    XCTAssertEqual(answer.headers[.contentType], "text/html; charset=utf-8", path)
                    self.assertPageHeaders(answer, "\(role) \(path)")
                    XCTAssertFalse(answer.text.contains("<script"), path)
                }
                for path in Self.downloads(id) {
                    let answer = try await page.get(path)
                    XCTAssertEqual(answer.status, 200, "\(role) \(path)")
                    XCTAssertEqual(answer.headers[.contentType], "text/csv; charset=utf-8", path)
                    XCTAssertEqual(answer.headers[.xContentTypeOptions], "nosniff", path)
                }
                let measurement = try await page.get("/measurements/\(id)")
                XCTAssertTrue(measurement.text.contains("id=\"progress\""))
                XCTAssertFalse(measurement.text.contains("http-equiv=\"refresh\""), "a complete measurement does not reload")
                let report = try await page.get("/measurements/\(id)/report")
                XCTAssertTrue(report.text.contains("<svg"), "the report's charts")
                let domain = try await page.get("/measurements/\(id)/domains/a.nl")
                XCTAssertTrue(domain.text.contains("id=\"history\"") && domain.text.contains("id=\"subtests\""))
                XCTAssertEqual(domain.text.contains("id=\"rescan\""), role >= .analyst, "\(role): the rescan button")
                let sets = try await page.get("/sets")
                XCTAssertEqual(sets.text.contains("id=\"import-form\""), role >= .analyst, "\(role): the import form")
                let style = try await page.get("/assets/style.css")
                XCTAssertEqual(style.headers[.contentType], "text/css; charset=utf-8")
                let missing = try await page.get("/nothing-here")
                XCTAssertEqual(missing.status, 404)
                self.assertPageHeaders(missing, "404")
                let missingDomain = try await page.get("/measurements/\(id)/domains/nowhere.nl")
                XCTAssertEqual(missingDomain.status, 404)
            }
        }
    }

    func testAMeasurementStillRunningReloadsItself() async throws {
        let reader = try makeKey("reader", .read)
        try importTaggedSet()
        let id = try store.createMeasurement(sets: ["gov"])
        try await withPages { browser in
            let page = browser()
            try await page.login(reader)
            let answer = try await page.get("/measurements/\(id)")
            XCTAssertEqual(answer.status, 200)
            XCTAssertTrue(answer.text.contains("<meta http-equiv=\"refresh\" content=\"5\">"))
            XCTAssertTrue(answer.text.contains("id=\"progress\" value=\"0\""))
            let list = try await page.get("/measurements")
            XCTAssertTrue(list.text.contains("id=\"measurement-\(id)\"") && list.text.contains("http-equiv=\"refresh\""))
        }
    }

    func testAPOSTWithoutTheSessionsCSRFTokenIs403() async throws {
        let analyst = try makeKey("analyst", .analyst)
        try await withPages { browser in
            let page = browser(), other = browser()
            try await page.login(analyst)
            try await other.login(analyst)
            let fields = [("name", "gov"), ("format", "plain"), ("list", "a.nl\n")]
            let cases: [(String, String)] = [("missing", ""), ("wrong", String(repeating: "a", count: 64)),
                                             ("another session's", other.csrf ?? "x"), ("truncated", String((page.csrf ?? "").dropLast()))]
            for (what, token) in cases {
                let answer = try await page.post("/sets", fields, csrf: token)
                XCTAssertEqual(answer.status, 403, "\(what) token")
                self.assertPageHeaders(answer, what)
            }
            let anonymous = browser()
            let noSession = try await anonymous.post("/login", [("key", analyst)], csrf: String(repeating: "a", count: 64))
            XCTAssertEqual(noSession.status, 403, "a login without a session's token")
            XCTAssertEqual(try self.store.listSets().count, 0, "nothing was imported")
            let accepted = try await page.post("/sets", fields)
            XCTAssertEqual(accepted.status, 200)
            XCTAssertEqual(try self.store.listSets().map(\.name), ["gov"])
        }
    }

    func testAReadKeysPOSTsAreRefused() async throws {
        let id = try measured()
        let reader = try makeKey("reader", .read)
        try await withPages { browser in
            let page = browser()
            try await page.login(reader)
            let posts: [(String, [(String, String)])] = [
                ("/measurements", [("set", "gov")]),
                ("/measurements/\(id)/cancel", []),
                ("/measurements/\(id)/rescans", [("domain", "a.nl")]),
                ("/sets", [("name", "gov"), ("list", "a.nl")]),
                ("/explanations", [("domain", "a.nl"), ("column", "web.hsts"), ("text", "x")]),
                ("/explanations/1/expire", []),
            ]
            for (path, fields) in posts {
                let answer = try await page.post(path, fields)
                XCTAssertEqual(answer.status, 403, path)
                XCTAssertTrue(answer.text.contains("id=\"error-message\""), path)
            }
            XCTAssertEqual(try self.store.measurements().count, 1)
            XCTAssertEqual(try self.store.explanations().count, 1)
        }
    }

    func testTheWritesGoThroughTheAPIsActions() async throws {
        let analyst = try makeKey("analyst", .analyst)
        try await withPages { browser in
            let page = browser()
            try await page.login(analyst)
            let refused = try await page.post("/sets", [("name", "gov"), ("format", "csv"), ("list", "domain,agency\na.nl,Alpha\nnot a domain,Beta\nb..nl,Beta\n")])
            XCTAssertEqual(refused.status, 422)
            XCTAssertTrue(refused.text.contains("id=\"problems\""))
            XCTAssertTrue(refused.text.contains("list.csv:3:") && refused.text.contains("list.csv:4:"), refused.text)
            XCTAssertEqual(try self.store.listSets().count, 0, "a refused list writes nothing")

            let imported = try await page.post("/sets", [("name", "gov"), ("format", "csv"), ("list", Self.taggedList)])
            XCTAssertEqual(imported.status, 200)
            XCTAssertTrue(imported.text.contains("id=\"import-summary\""))
            let started = try await page.post("/measurements", [("set", "gov")])
            XCTAssertEqual(started.status, 303)
            let id = try XCTUnwrap(try self.store.measurements().first?.id)
            XCTAssertEqual(started.headers[.location], "/measurements/\(id)")
            try self.complete(id)

            let rescan = try await page.post("/measurements/\(id)/rescans", [("domain", "a.nl")])
            XCTAssertEqual(rescan.status, 303)
            XCTAssertEqual(try self.store.measurements().count, 2)

            let explained = try await page.post("/explanations", [("domain", "b.nl"), ("column", "web.hsts"), ("text", "moving"), ("until", "")])
            XCTAssertEqual(explained.status, 303)
            let explanation = try XCTUnwrap(try self.store.explanations().first)
            XCTAssertEqual(explanation.by, "API key analyst")
            let expired = try await page.post("/explanations/\(explanation.id)/expire", [])
            XCTAssertEqual(expired.status, 303)
            XCTAssertEqual(try self.store.explanations().count, 0)
        }
        let audit = try store.auditEntries()
        XCTAssertTrue(audit.contains { $0.path == "/sets" && $0.status == 422 })
        XCTAssertTrue(audit.contains { $0.path == "/measurements" && $0.target?.hasPrefix("measurement ") == true })
    }

    func testATagLimitedKeyNeverSeesAnotherOrganisationsDomain() async throws {
        let id = try measured()
        let alpha = try makeKey("alpha", .analyst, tag: TagLimit(name: "agency", value: "Alpha"))
        try await withPages { browser in
            let page = browser()
            try await page.login(alpha)
            for path in Self.pages(id) + Self.downloads(id) {
                let answer = try await page.get(path)
                XCTAssertEqual(answer.status, 200, path)
                XCTAssertFalse(answer.text.contains("z.nl"), "\(path) shows Beta's z.nl")
                XCTAssertFalse(answer.text.contains("Beta"), "\(path) shows Beta")
            }
            let beta = try await page.get("/measurements/\(id)/domains/z.nl")
            XCTAssertEqual(beta.status, 404)
            let explainBeta = try await page.post("/explanations", [("domain", "z.nl"), ("column", "web.hsts"), ("text", "x")])
            XCTAssertEqual(explainBeta.status, 404)
            let expireBeta = try await page.post("/explanations/\(try XCTUnwrap(self.store.explanations().first?.id))/expire", [])
            XCTAssertEqual(expireBeta.status, 404)
            let rescanBeta = try await page.post("/measurements/\(id)/rescans", [("domain", "z.nl")])
            XCTAssertEqual(rescanBeta.status, 422)
            let start = try await page.post("/measurements", [("set", "gov")])
            XCTAssertEqual(start.status, 403)
            XCTAssertEqual(try self.store.explanations().count, 1)
        }
    }
}
