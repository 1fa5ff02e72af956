import Foundation
import Hummingbird
import HummingbirdTesting
import PeilModel
import PeilTestSupport
import Serve
import Store
import XCTest

/// Hostile values (markup, quotes, `&`, control characters in set names, tag values,
/// organisations and explanation texts) reach every page escaped; TLS serving with a
/// certificate made for the test.
final class PageSecurityTests: APITestCase, @unchecked Sendable {
    static let hostile = "<script>alert(\"x\")</script> & 'q' <img src=x onerror=alert(1)>\u{1}\u{7F}\u{9B}"

    func testHostileValuesAreEscapedOnEveryPage() async throws {
        let entries = [
            SetEntry(domain: try .init(parsing: "a.nl"), organisation: Self.hostile, tags: ["agency": Self.hostile]),
            SetEntry(domain: try .init(parsing: "b.nl"), organisation: "Plain", tags: ["agency": "Plain"]),
        ]
        _ = try store.importSet(name: "gov" + Self.hostile, entries: entries)
        let id = try store.createMeasurement(sets: ["gov" + Self.hostile])
        try complete(id, note: "v=spf1 " + Self.hostile)
        _ = try store.addExplanation(domain: try .init(parsing: "a.nl"), column: try BulkColumns.column(named: "web.hsts"),
                                     text: Self.hostile, by: Self.hostile, until: nil)
        let admin = try makeKey("admin", .admin)
        try await withPages { browser in
            let page = browser()
            try await page.login(admin)
            for path in PagesTests.pages(id) {
                let answer = try await page.get(path)
                XCTAssertEqual(answer.status, 200, path)
                XCTAssertFalse(answer.text.contains("<script"), "\(path) has a raw <script>")
                XCTAssertFalse(answer.text.contains("<img"), "\(path) has a raw <img>")
                XCTAssertFalse(answer.text.contains("alert(\"x\")"), "\(path) has a raw quote")
                XCTAssertFalse(answer.text.unicodeScalars.contains { $0.value == 1 || $0.value == 0x7F || $0.value == 0x9B }, "\(path) has a control character")
            }
            let explanations = try await page.get("/explanations")
            XCTAssertTrue(explanations.text.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"), "the text is shown, escaped")
            let tags = try await page.get("/measurements/\(id)/tags?by=agency")
            XCTAssertTrue(tags.text.contains("&lt;img src=x onerror=alert(1)&gt;"), "the tag value is shown, escaped")
            let sets = try await page.get("/sets")
            XCTAssertTrue(sets.text.contains("gov&lt;script&gt;"), "the set's name is shown, escaped")

            let refused = try await page.post("/sets", [("name", "x"), ("format", "plain"), ("list", "<script>alert(1)</script>\n")])
            XCTAssertEqual(refused.status, 422)
            XCTAssertFalse(refused.text.contains("<script"), "a refused line is shown escaped")
            XCTAssertTrue(refused.text.contains("&lt;script&gt;"))
        }
    }

    func testTheServerSpeaksTLSWithTheGivenCertificate() async throws {
        let folder = try TestProcess.scratchFolder("serve-tls")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let made = try TestProcess.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                                            "-keyout", folder + "/key.pem", "-out", folder + "/cert.pem", "-days", "2",
                                                            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        XCTAssertEqual(made.status, 0, made.standardError)
        let reader = try makeKey("reader", .read)
        var configuration = configuration()
        configuration.tls = (folder + "/cert.pem", folder + "/key.pem")
        let app = try ServeApplication.application(store: store, configuration: configuration)
        try await app.test(.ahc(.https)) { client in
            let page = PageClient(client: client)
            let login = try await page.get("/login")
            XCTAssertEqual(login.status, 200)
            XCTAssertTrue(login.headers[.setCookie]?.contains("; Secure") ?? false, "the session cookie is Secure over TLS")
            // The test client follows redirects without keeping cookies: a refused login shows the page without one.
            let refused = try await page.post("/login", [("key", "peil_" + String(repeating: "0", count: 64))])
            XCTAssertEqual(refused.status, 401)
            XCTAssertTrue(refused.text.contains("id=\"login-form\""))
            XCTAssertEqual(refused.headers[.contentSecurityPolicy], Self.pageCSP)
            let api = try await client.execute(uri: "/api/v1/sets", method: .get, headers: [.authorization: "Bearer \(reader)"])
            XCTAssertEqual(api.status, .ok)
        }
        configuration.tls = (folder + "/missing.pem", folder + "/key.pem")
        XCTAssertThrowsError(try ServeApplication.application(store: store, configuration: configuration), "a missing certificate is an error")
    }
}
