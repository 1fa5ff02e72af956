import Checks
import PeilModel
import XCTest

/// The CAA subtest from its specification: RFC 8659 (record format, `issue`/`iodef` syntax),
/// RFC 8657 §4 (`validationmethods`), RFC 9495 (`issuemail`), and Internet.nl's reading
/// (`checks/caa/parser.py`, `retrieval.py`): found, every record valid, one `issue` → passed;
/// else warning (the subtest is optional).
final class CAACheckTests: XCTestCase {
    func status(_ records: [String], at name: String? = "example.nl") -> Status {
        CAACheck.evaluate(foundAt: name, records: records).status
    }

    func codes(_ records: [String]) -> [String] {
        CAACheck.evaluate(foundAt: "example.nl", records: records).findings.map(\.code).filter { !["found-host", "caa-record"].contains($0) }
    }

    func testAnIssueRecordPasses() {
        let result = CAACheck.evaluate(foundAt: "example.nl", records: [#"0 issue "letsencrypt.org""#, #"0 iodef "mailto:security@example.nl""#])
        XCTAssertEqual(result.status, .passed)
        XCTAssertEqual(result.name, "web_caa")
        XCTAssertEqual(result.requirement, .optional)
        XCTAssertEqual(result.findings.first, Finding("found-host", subject: "example.nl"))
    }

    func testNoCAAIsAWarningNotAFailure() {
        XCTAssertEqual(status([], at: nil), .warning, "optional subtest: its worst status is warning")
        XCTAssertEqual(CAACheck.evaluate(foundAt: nil, records: []).findings, [Finding("not-found")])
    }

    /// RFC 8659 §4.2: the issuer may be empty ("no CA may issue"), parameters follow `;`.
    func testIssueValueSyntax() {
        XCTAssertEqual(status([#"0 issue ";""#]), .passed, "an empty issuer forbids issuance: valid")
        XCTAssertEqual(status([#"0 issue "ca.example.net; account=230123""#]), .passed)
        XCTAssertEqual(status([#"0 issue "  ca.example.net  ;  policy=ev  ""#]), .passed, "white space around the parts")
        XCTAssertEqual(codes([#"0 issue "ca..example.net""#]), ["invalid-property-syntax"], "an empty label")
        XCTAssertEqual(codes([#"0 issue "-ca.example.net""#]), ["invalid-property-syntax"], "a label starts with a letter or digit")
        XCTAssertEqual(codes([#"0 issue "ca.example.net; account""#]), ["invalid-property-syntax"], "a parameter needs '='")
        XCTAssertEqual(codes([#"0 issue "ca.example.net; a=1;""#]), ["invalid-property-syntax"], "no trailing ';' after parameters")
    }

    /// RFC 8657 §4: known ACME methods, or ones starting `ca-`.
    func testValidationMethods() {
        XCTAssertEqual(status([#"0 issue "letsencrypt.org; validationmethods=dns-01,http-01""#]), .passed)
        XCTAssertEqual(status([#"0 issue "letsencrypt.org; validationmethods=ca-custom""#]), .passed)
        // Internet.nl's grammar `value = [*(label ",") label]`: an empty list is a list.
        XCTAssertEqual(status([#"0 issue "letsencrypt.org; validationmethods=""#]), .passed)
        XCTAssertEqual(codes([#"0 issue "letsencrypt.org; validationmethods=smtp-99""#]), ["invalid-parameter-validation-methods"])
    }

    /// RFC 8659 §4.1: flags 0 or 128 (critical) only; §4.4 iodef is https: or mailto:.
    func testFlagsAndIODEF() {
        XCTAssertEqual(status([#"128 issue "letsencrypt.org""#]), .passed)
        XCTAssertEqual(codes([#"1 issue "letsencrypt.org""#]), ["invalid-flags-reserved-bits"])
        XCTAssertEqual(codes([#"0 issue "a.nl""#, #"0 iodef "https://iodef.example.nl/report""#]), [])
        XCTAssertEqual(codes([#"0 issue "a.nl""#, #"0 iodef "http://iodef.example.nl/""#]), ["invalid-property-iodef-value"])
        XCTAssertEqual(codes([#"0 issue "a.nl""#, #"0 iodef "mailto:not an address""#]), ["invalid-property-iodef-value"])
    }

    /// Reserved (auth, path, policy) and unknown properties are errors in Internet.nl's reading.
    func testReservedUnknownAndContactProperties() {
        XCTAssertEqual(codes([#"0 issue "a.nl""#, #"0 policy "x""#]), ["invalid-reserved-property"])
        XCTAssertEqual(codes([#"0 issue "a.nl""#, #"0 tbs "x""#]), ["invalid-unknown-property"])
        XCTAssertEqual(codes([#"0 issue "a.nl""#, #"0 contactemail "security@example.nl""#, #"0 contactphone "+31(0)70-1234567""#]), [])
        XCTAssertEqual(codes([#"0 issue "a.nl""#, #"0 contactphone "070-1234567""#]), ["invalid-property-contactphone-value"], "a global number starts with '+'")
        XCTAssertEqual(codes([#"0 issue "a.nl""#, #"0 issuemail "mail-ca.example""#]), [])
    }

    /// At least one `issue` property: `issuewild` alone is insufficient.
    func testIssueIsRequired() {
        XCTAssertEqual(codes([#"0 issuewild "letsencrypt.org""#]), ["missing-required-property-issue"])
        XCTAssertEqual(status([#"0 issuewild "letsencrypt.org""#]), .warning)
    }

    /// The probe's presentation escapes (`\"`, `\DDD`) are read back.
    func testEscapedValues() {
        XCTAssertEqual(status([#"0 issue "ca.example.net; note=\034x\034""#]), .passed, #"\034 is '"', allowed in a parameter value"#)
        XCTAssertEqual(codes([#"0 issue "ca.example.net; note=a\059b""#]), ["invalid-property-syntax"], #"\059 is ';', which ends the parameter: 'b' alone is no parameter"#)
        XCTAssertEqual(codes(["0 issue unquoted"]), ["invalid-property-syntax", "missing-required-property-issue"])
    }
}
