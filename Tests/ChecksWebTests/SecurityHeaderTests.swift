import Checks
import XCTest

final class SecurityHeaderTests: XCTestCase {
    func testXFrameOptions() {
        XCTAssertEqual(SecurityHeaders.xFrameOptions(["DENY"]).status, .passed)
        XCTAssertEqual(SecurityHeaders.xFrameOptions(["sameorigin"]).status, .passed)
        XCTAssertEqual(SecurityHeaders.xFrameOptions(["ALLOW-FROM https://x"]).status, .info)
        XCTAssertEqual(SecurityHeaders.xFrameOptions([]).status, .info)
        XCTAssertEqual(SecurityHeaders.xFrameOptions(["DENY", "ALLOW-FROM x"]).status, .passed, "first value counts")
        XCTAssertEqual(SecurityHeaders.xFrameOptions(["ALLOW-FROM x", "DENY"]).status, .info)
    }

    func testXContentTypeOptions() {
        XCTAssertEqual(SecurityHeaders.xContentTypeOptions(["nosniff"]).status, .passed)
        XCTAssertEqual(SecurityHeaders.xContentTypeOptions(["NoSniff"]).status, .passed)
        XCTAssertEqual(SecurityHeaders.xContentTypeOptions(["sniff"]).status, .warning)
        XCTAssertEqual(SecurityHeaders.xContentTypeOptions([]).status, .warning)
    }

    func testReferrerPolicyCurrentUsesLastValue() {
        XCTAssertEqual(SecurityHeaders.referrerPolicy(["no-referrer"]).status, .passed)
        XCTAssertEqual(SecurityHeaders.referrerPolicy(["unsafe-url, same-origin"]).status, .passed)
        XCTAssertEqual(SecurityHeaders.referrerPolicy(["same-origin, unsafe-url"]).status, .warning)
        XCTAssertEqual(SecurityHeaders.referrerPolicy(["strict-origin-when-cross-origin"]).status, .info)
        XCTAssertEqual(SecurityHeaders.referrerPolicy([]).status, .info)
        XCTAssertEqual(SecurityHeaders.referrerPolicy(["  "]).status, .info)
        XCTAssertEqual(SecurityHeaders.referrerPolicy(["bogus"]).findings.last?.code, "bad-invalid")
        XCTAssertEqual(SecurityHeaders.referrerPolicy(["origin"]).findings.last?.code, "bad-origin")
        XCTAssertEqual(SecurityHeaders.referrerPolicy(["No-Referrer"]).status, .warning, "case-sensitive like Internet.nl")
    }

    func testReferrerPolicy2021AcceptsAnyKnownValue() {
        XCTAssertEqual(SecurityHeaders.referrerPolicy(["unsafe-url"], ruleSet: .internetnl2021).status, .passed)
        XCTAssertEqual(SecurityHeaders.referrerPolicy(["No-Referrer"], ruleSet: .internetnl2021).status, .passed)
        XCTAssertEqual(SecurityHeaders.referrerPolicy(["origin, bogus"], ruleSet: .internetnl2021).status, .warning)
        XCTAssertEqual(SecurityHeaders.referrerPolicy([], ruleSet: .internetnl2021).status, .warning)
        XCTAssertEqual(SecurityHeaders.referrerPolicy([""], ruleSet: .internetnl2021).status, .passed)
    }

    func testHTTPCompressionIsInformational() {
        XCTAssertEqual(SecurityHeaders.httpCompression([]).status, .passed)
        XCTAssertEqual(SecurityHeaders.httpCompression(["gzip"]).status, .info)
    }
}

final class CSPTests: XCTestCase {
    let good = "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"

    func problems(_ csp: String, host: String = "www.example.nl") -> [String] {
        CSPCheck.problems(CSPCheck.parse([csp]), host: host)
    }

    func testAGoodPolicyPasses() {
        XCTAssertEqual(problems(good), [])
        XCTAssertEqual(CSPCheck.evaluate([good], host: "www.example.nl").status, .passed)
        XCTAssertEqual(CSPCheck.evaluate([], host: "www.example.nl").status, .warning)
    }

    func testEachProblemIsNamed() {
        XCTAssertEqual(problems(good + "; script-src 'self' 'unsafe-inline'"), ["has-unsafe-inline"])
        XCTAssertEqual(problems(good + "; script-src 'unsafe-eval' 'unsafe-hashes'"), ["has-unsafe-eval", "has-unsafe-hashes"])
        XCTAssertEqual(problems(good + "; img-src http:"), ["has-http"])
        XCTAssertEqual(problems(good + "; img-src http://cdn.example.nl"), ["has-http"])
        XCTAssertEqual(problems(good + "; img-src https:"), ["has-bare-https"])
        XCTAssertEqual(problems(good + "; img-src cdn.example.nl"), ["has-host-without-scheme"])
        XCTAssertEqual(problems(good + "; object-src data:"), ["has-data"])
        XCTAssertEqual(problems(good + "; img-src data:"), [], "data: only matters for object-src and script-src")
        XCTAssertEqual(problems(good + "; img-src https://*"), ["has-invalid-host"])
        XCTAssertEqual(problems(good + "; img-src *"), ["has-host-without-scheme", "has-invalid-host"])
    }

    func testMissingDirectives() {
        XCTAssertEqual(problems("frame-ancestors 'self'; base-uri 'none'; form-action 'self'"),
                       ["missing-invalid-default-src", "missing-invalid-frame-src"])
        XCTAssertEqual(problems("frame-ancestors 'self'; base-uri 'none'; form-action 'self'; frame-src 'self'"),
                       ["missing-invalid-default-src"])
        XCTAssertEqual(problems("default-src 'self'"),
                       ["missing-invalid-frame-ancestors", "missing-invalid-base-uri", "missing-invalid-form-action"])
        XCTAssertEqual(problems("default-src 'self' https://example.org; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"),
                       ["missing-invalid-default-src"], "a foreign host in default-src")
    }

    func testDefaultSrcMayNameOwnDomainFamily() {
        XCTAssertEqual(problems("default-src 'self' https://static.www.example.nl; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"), [])
        XCTAssertEqual(problems("default-src 'self' https://*.example.nl; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"), [])
        XCTAssertEqual(problems("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"), [])
        XCTAssertEqual(problems("default-src 'none' 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"),
                       ["has-unsafe-inline", "missing-invalid-default-src"])
    }

    func testParsingQuirks() {
        XCTAssertEqual(problems("Default-Src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'").first,
                       "missing-invalid-default-src", "directive names are case-sensitive in Internet.nl")
        XCTAssertEqual(problems("default-src 'self';;  ; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"), [])
        XCTAssertEqual(CSPCheck.evaluate(["default-src 'self'", "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"],
                                         host: "www.example.nl").status, .passed, "policies in several headers accumulate")
    }

    func testSourceClassification() {
        func sources(_ token: String, _ directive: String = "img-src") -> [CSPSource]? {
            CSPCheck.parse(["\(directive) \(token)"])[directive]
        }
        XCTAssertEqual(sources("https://a.example:443/p"), [.host(scheme: "https", host: "a.example")])
        XCTAssertEqual(sources("https:"), [.scheme("https")])
        XCTAssertEqual(sources("'self'"), [.selfKeyword])
        XCTAssertEqual(sources("[::1]:8080"), [.host(scheme: nil, host: "[::1]")])
        XCTAssertEqual(sources("a.example:x"), nil, "a token the directive does not accept is dropped")
        XCTAssertEqual(sources("'sha256-abc+/=='", "script-src"), [.nonceOrHash])
        XCTAssertEqual(sources("'strict-dynamic'", "script-src"), [.strictDynamic])
        XCTAssertEqual(sources("'strict-dynamic'", "style-src"), nil)
        XCTAssertEqual(sources("'self'", "frame-ancestors"), [.selfKeyword])
        XCTAssertEqual(sources("'unsafe-inline'", "frame-ancestors"), nil)
    }
}
