import Checks
import XCTest

final class SecurityTxtTests: XCTestCase {
    let now: Int64 = 1_767_225_600 // 2026-01-01T00:00:00Z

    func result(_ body: String, type: String = "text/plain; charset=utf-8", status: Int = 200, legacy: Bool = false) -> SubtestResult {
        SecurityTxtCheck.evaluate(SecurityTxtRetrieval(status: status, contentType: type, foundAtLegacyPath: legacy, body: body), now: now)
    }

    func codes(_ r: SubtestResult) -> [String] { r.findings.map(\.code) }

    func testDates() {
        XCTAssertEqual(SecurityTxtFields.rfc3339("2026-01-01T00:00:00Z"), now)
        XCTAssertEqual(SecurityTxtFields.rfc3339("2026-01-01T01:00:00.5+01:00"), now)
        XCTAssertEqual(SecurityTxtFields.rfc3339("1970-01-01T00:00:00Z"), 0)
        XCTAssertNil(SecurityTxtFields.rfc3339("2026-01-01"))
        XCTAssertNil(SecurityTxtFields.rfc3339("2026-13-01T00:00:00Z"))
    }

    func testMinimalFileGivesRecommendationsOnly() {
        let r = result("Contact: mailto:security@example.nl\nExpires: 2026-06-01T00:00:00Z\n")
        XCTAssertEqual(r.status, .info)
        XCTAssertEqual(codes(r), ["no_encryption", "not_signed"])
    }

    func testErrors() {
        XCTAssertEqual(codes(result("Expires: 2026-06-01T00:00:00Z\n")).first, "no_contact")
        XCTAssertEqual(codes(result("Contact: mailto:a@b\n")).first, "no_expire")
        XCTAssertEqual(codes(result("Contact: mailto:a@b\nExpires: 2025-06-01T00:00:00Z\n")).first, "expired")
        XCTAssertEqual(codes(result("Contact: mailto:a@b\nExpires: tomorrow\n")).first, "invalid_expiry")
        XCTAssertEqual(codes(result("Contact: http://x\nExpires: 2026-06-01T00:00:00Z\n")).first, "no_https")
        XCTAssertEqual(codes(result("Contact: mailto:a@b\nExpires: 2026-06-01T00:00:00Z\nExpires: 2026-06-02T00:00:00Z\n")).first, "multi_expire")
        XCTAssertEqual(codes(result("Contact: mailto:a@b\nExpires: 2026-06-01T00:00:00Z\nthis is not a field\n")).first, "invalid_line")
        XCTAssertTrue(codes(result("Contact: mailto:a@b\nExpires: 2028-06-01T00:00:00Z\n")).contains("long_expiry"))
        XCTAssertEqual(result("Contact: mailto:a@b\nExpires: 2025-06-01T00:00:00Z\n").status, .warning)
    }

    func testRetrievalProblems() {
        XCTAssertEqual(codes(result("", status: 404)), ["no_security_txt_404"])
        XCTAssertEqual(codes(result("x", status: 500)), ["no_security_txt_other"])
        XCTAssertEqual(codes(result("<html>", type: "text/html")), ["invalid_media"])
        XCTAssertEqual(codes(result("Contact: mailto:a@b\nExpires: 2026-06-01T00:00:00Z\n", type: "text/plain; charset=latin1")).first, "invalid_charset")
        XCTAssertEqual(codes(result("Contact: mailto:a@b\nExpires: 2026-06-01T00:00:00Z\n", legacy: true)).first, "location")
        XCTAssertEqual(result("", status: 404).status, .warning)
    }
}
