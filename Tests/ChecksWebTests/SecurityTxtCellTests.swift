import Checks
import PeilModel
import XCTest

/// The stored security.txt fetch of one address → its `web_appsecpriv_securitytxt` cell: the
/// RFC 9116 rules and Internet.nl's decisions (`checks/tasks/securitytxt.py`), judged at the
/// fetch's time against the URL the file was found at.
final class SecurityTxtCellTests: XCTestCase {
    let fetchedAt: Int64 = 1_767_225_600 // 2026-01-01T00:00:00Z
    let wellKnown = "https://www.example.nl/.well-known/security.txt"
    let legacy = "https://www.example.nl/security.txt"
    let good = "Contact: mailto:security@example.nl\nExpires: 2026-06-01T00:00:00Z\n"

    func ok(_ url: String, type: String? = "text/plain; charset=utf-8") -> HTTPExchange {
        HTTPExchange(url: url, status: 200, headers: type.map { [HTTPHeaderField(name: "Content-Type", value: $0)] } ?? [])
    }

    func cell(_ exchanges: [HTTPExchange], body: String? = nil, truncated: Bool = false, https: Int? = 200) -> StatusCell {
        let web = WebObservation(tls: TLSScanResult(outcome: .completed), https: HTTPExchange(url: "https://www.example.nl/", status: https),
                                 http: nil, port80: .refused,
                                 securityTxt: SecurityTxtFetch(exchanges: exchanges, body: body, bodyTruncated: truncated, fetchedAt: fetchedAt))
        return SecurityTxtCheck.cell(web, address: "198.18.16.1")
    }

    func testAGoodFileHasOnlyRecommendations() {
        let c = cell([ok(wellKnown)], body: good)
        XCTAssertEqual(c.status, .info)
        XCTAssertEqual(c.because, "198.18.16.1 \(wellKnown) (200): no_encryption, not_signed")
    }

    func testAMissingFileIsAWarning() {
        let c = cell([HTTPExchange(url: wellKnown, status: 404), HTTPExchange(url: legacy, status: 404)])
        XCTAssertEqual(c.status, .warning)
        XCTAssertTrue(c.because.contains("no_security_txt_404"), c.because)
        let other = cell([HTTPExchange(url: wellKnown, status: 403), HTTPExchange(url: legacy, status: 500)])
        XCTAssertEqual(other.status, .warning)
        XCTAssertTrue(other.because.contains("no_security_txt_other"), other.because)
    }

    func testOnlyAtTheLegacyPathIsAWarning() {
        let c = cell([HTTPExchange(url: wellKnown, status: 404), ok(legacy)], body: good)
        XCTAssertEqual(c.status, .warning)
        XCTAssertTrue(c.because.contains("location"), c.because)
    }

    func testTheContentTypeMustBePlainTextInUTF8() {
        let html = cell([ok(wellKnown, type: "text/html; charset=utf-8")], body: "<html>")
        XCTAssertEqual(html.status, .warning)
        XCTAssertTrue(html.because.hasSuffix(": invalid_media: text/html"), html.because)
        XCTAssertTrue(cell([ok(wellKnown, type: nil)], body: good).because.hasSuffix(": no_content_type"))
        XCTAssertTrue(cell([ok(wellKnown, type: "text/plain; charset=iso-8859-1")], body: good).because.contains("invalid_charset"))
        XCTAssertEqual(cell([ok(wellKnown, type: "text/plain")], body: good).status, .info, "charset defaults to utf-8")
    }

    func testExpiryIsJudgedAtTheFetchTime() {
        let expired = cell([ok(wellKnown)], body: "Contact: mailto:a@example.nl\nExpires: 2025-12-31T23:59:59Z\n")
        XCTAssertEqual(expired.status, .warning)
        XCTAssertTrue(expired.because.contains("expired"), expired.because)
    }

    func testAContactIsRequired() {
        let c = cell([ok(wellKnown)], body: "Expires: 2026-06-01T00:00:00Z\n")
        XCTAssertEqual(c.status, .warning)
        XCTAssertTrue(c.because.contains("no_contact"), c.because)
    }

    func testACanonicalFieldMustNameTheURLItWasFoundAt() {
        let elsewhere = cell([ok(wellKnown)], body: good + "Canonical: https://other.example.nl/.well-known/security.txt\n")
        XCTAssertEqual(elsewhere.status, .warning)
        XCTAssertTrue(elsewhere.because.contains("no_canonical_match: \(wellKnown)"), elsewhere.because)
        let here = cell([ok(wellKnown)], body: good + "Canonical: https://other.example.nl/.well-known/security.txt\nCanonical: \(wellKnown)\n")
        XCTAssertEqual(here.status, .info, here.because)
    }

    func testWhatWasNotMeasuredIsNotJudged() {
        let old = WebObservation(tls: TLSScanResult(outcome: .completed), https: HTTPExchange(url: "https://www.example.nl/", status: 200),
                                 http: nil, port80: .refused)
        let none = SecurityTxtCheck.cell(old, address: "198.18.16.1")
        XCTAssertEqual(none.status, .notTested)
        XCTAssertTrue(none.because.contains("no security.txt fetch"), none.because)
        let redirect = HTTPExchange(url: wellKnown, status: 301, headers: [HTTPHeaderField(name: "Location", value: "https://example.nl/.well-known/security.txt")])
        let moved = cell([redirect, HTTPExchange(url: legacy, status: 404)])
        XCTAssertEqual(moved.status, .notTested)
        XCTAssertTrue(moved.because.contains("redirects (301) to https://example.nl/.well-known/security.txt"), moved.because)
        XCTAssertEqual(cell([HTTPExchange(url: wellKnown, error: "connection refused")]).status, .error)
        XCTAssertEqual(cell([HTTPExchange(url: wellKnown, status: 200, error: "closed inside the body after 10 bytes")], body: "Contact: m").status, .error)
    }

    func testATruncatedBodyIsJudgedOnItsFirstPartAndSaysSo() {
        let c = cell([ok(wellKnown)], body: good, truncated: true)
        XCTAssertEqual(c.status, .info)
        XCTAssertTrue(c.because.contains("first 100 KiB judged"), c.because)
    }
}
