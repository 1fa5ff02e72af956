import Foundation
import Hummingbird
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
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let app = try ServeApplication.application(store: store, configuration: configuration) { channel in
            listening.yield(channel.localAddress?.port ?? 0)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            defer { group.cancelAll() }
            var next = ports.makeAsyncIterator()
            let bound = await next.next()
            let port = try XCTUnwrap(bound, "the server never said it was listening")
            // curl checks the server's certificate against the one made above.
            let https = HTTPSClient(folder: folder, base: "https://127.0.0.1:\(port)", trusted: folder + "/cert.pem")
            let login = try https.request("/login")
            XCTAssertEqual(login.status, 200)
            XCTAssertTrue(login.header("set-cookie")?.contains("; Secure") ?? false, "the session cookie is Secure over TLS")
            let token = try XCTUnwrap(PageClient.csrfToken(in: login.body), "the login form's token")
            let refused = try https.request("/login", form: [("key", "peil_" + String(repeating: "0", count: 64)), ("csrf", token)])
            XCTAssertEqual(refused.status, 401)
            XCTAssertTrue(refused.body.contains("id=\"login-form\""))
            XCTAssertEqual(refused.header("content-security-policy"), Self.pageCSP)
            let api = try https.request("/api/v1/sets", headers: ["Authorization: Bearer \(reader)"])
            XCTAssertEqual(api.status, 200)
            let plain = try TestProcess.run("/usr/bin/curl", ["-sS", "-o", "/dev/null", "--max-time", "10", "http://127.0.0.1:\(port)/login"])
            XCTAssertNotEqual(plain.status, 0, "plain HTTP to the TLS port gets no page")
        }
        configuration.tls = (folder + "/missing.pem", folder + "/key.pem")
        XCTAssertThrowsError(try ServeApplication.application(store: store, configuration: configuration), "a missing certificate is an error")
    }
}

/// HTTPS requests through curl, verifying the server's certificate against `trusted`, with a
/// cookie jar in `folder` (so a form posts with the session its page set).
struct HTTPSClient {
    var folder: String
    var base: String
    var trusted: String

    struct Answer {
        var status: Int
        var headerLines: [String]
        var body: String

        /// The first header of that name (any case).
        func header(_ name: String) -> String? {
            headerLines.lazy.compactMap { line -> String? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == name.lowercased() else { return nil }
                return parts[1].trimmingCharacters(in: .whitespaces)
            }.first
        }
    }

    func request(_ path: String, headers: [String] = [], form: [(String, String)]? = nil) throws -> Answer {
        let headerFile = folder + "/headers", bodyFile = folder + "/body", jar = folder + "/cookies"
        var arguments = ["-sS", "--max-time", "20", "--cacert", trusted, "--cookie", jar, "--cookie-jar", jar,
                         "-D", headerFile, "-o", bodyFile, "-w", "%{http_code}"]
        for header in headers { arguments += ["-H", header] }
        if let form { arguments += ["--data-raw", PageClient.encode(form)] }
        let run = try TestProcess.run("/usr/bin/curl", arguments + [base + path])
        guard run.status == 0, let status = Int(run.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw CurlFailure(message: "curl \(path) failed (\(run.status)): \(run.standardError)")
        }
        let headerText = try String(contentsOfFile: headerFile, encoding: .utf8)
        return Answer(status: status, headerLines: headerText.components(separatedBy: "\r\n"),
                      body: try String(contentsOfFile: bodyFile, encoding: .utf8))
    }
}

struct CurlFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
