import Checks
import Foundation
import PeilModel
import XCTest

/// `web_ipv6_ws_similar` (`web_ipv46`) from constructed evidence, by Internet.nl's `simhash` and
/// its callback (`checks/tasks/ipv6.py` at cec0e01d): every branch, and the distance against
/// `difflib`'s `quick_ratio`.
final class SameWebsiteTests: XCTestCase {
    typealias Fixture = WebColumnsTests

    static let page = "<html><head><title>Gemeente</title></head><body><h1>Welkom</h1><p>Alles over de gemeente.</p></body></html>\n"

    /// An observation whose HTTPS `GET /` answered `status` with `body`, port 80 a redirect.
    static func web(_ body: String = page, status: Int = 200, https: Bool = true, http: Bool = true) -> WebObservation {
        var web = Fixture.web()
        web.https = https ? HTTPExchange(url: "https://www.example.nl/", status: status, page: WebPageDigest(body: Array(body.utf8))) : nil
        web.http = http ? HTTPExchange(url: "http://www.example.nl/", status: 301, page: WebPageDigest(body: Array("<html><body>moved</body></html>\n".utf8)))
            : HTTPExchange(url: "http://www.example.nl/", error: "refused")
        return web
    }

    func cell(_ web4: WebObservation = web(), _ web6: WebObservation = web(), facts: DNSFacts = Fixture.facts(),
              reach: [String: ReachObservation]? = nil) -> StatusCell {
        IPv6Subtests.sameWebsite(Fixture.evidence(facts: facts, web: [Fixture.v4: web4, Fixture.v6: web6], reach: reach))
    }

    func testTheSamePagePasses() {
        let same = cell()
        XCTAssertEqual(same.status, .passed, same.because)
        XCTAssertTrue(same.because.contains("distance 0.0"), same.because)
    }

    /// `difflib.SequenceMatcher(None, a, b).quick_ratio()` for these byte strings, computed with
    /// Python 3: "abcd" / "bcde" → 0.75; "" / "" → 1.0; "aab" / "abb" → 0.666…
    func testTheDistanceIsQuickRatiosOnByteCounts() {
        func digest(_ text: String) -> WebPageDigest { WebPageDigest(body: Array(text.utf8)) }
        XCTAssertEqual(IPv6Subtests.pageDistance(digest("abcd"), digest("bcde")), 100 - 0.75 * 100)
        XCTAssertEqual(IPv6Subtests.pageDistance(digest(""), digest("")), 0)
        XCTAssertEqual(IPv6Subtests.pageDistance(digest("aab"), digest("abb")), 100 - (2.0 * 2 / 6) * 100)
        XCTAssertEqual(IPv6Subtests.pageDistance(digest("abc"), digest("")), 100)
        // Order does not count, only how often each byte occurs (quick_ratio is an upper bound).
        XCTAssertEqual(IPv6Subtests.pageDistance(digest("abcdef"), digest("fedcba")), 0)
    }

    /// A few words more over IPv6 stay within 10; a different page does not.
    func testSmallDifferencesPassAndBigOnesWarn() {
        let small = cell(Self.web(), Self.web(Self.page.replacingOccurrences(of: "Alles over", with: "Alles nu over")))
        XCTAssertEqual(small.status, .passed, small.because)
        let maintenance = "<html><head><title>Onderhoud</title></head><body><p>Deze website is tijdelijk niet beschikbaar wegens gepland onderhoud aan de servers. Probeer het later nog eens.</p></body></html>\n"
        let big = cell(Self.web(), Self.web(maintenance))
        XCTAssertEqual(big.status, .warning, big.because)
        XCTAssertTrue(big.because.hasPrefix("different content over IPv6"), big.because)
        // Just over the line: 10 extra bytes on 90 → ratio 180/190, distance 5.3 (passed);
        // 25 extra → 180/205, distance 12.2 (warning).
        let base = String(repeating: "a", count: 90)
        XCTAssertEqual(cell(Self.web(base), Self.web(base + String(repeating: "z", count: 10))).status, .passed)
        XCTAssertEqual(cell(Self.web(base), Self.web(base + String(repeating: "z", count: 25))).status, .warning)
    }

    /// Script and style nonces, and `__VIEWSTATE` inputs, are left out of the comparison.
    func testNonceOnlyDifferencesAreTheSamePage() {
        func page(_ nonce: String, _ state: String) -> String {
            "<html><head><script nonce=\"\(nonce)\" src=\"/app.js\"></script><STYLE NONCE='\(nonce)'>p{}</STYLE></head><body>"
                + "<form><input type=\"hidden\" name=\"__VIEWSTATE\" value=\"\(state)\"><input name=\"q\"></form></body></html>"
        }
        let nonce4 = page(String(repeating: "a1B2", count: 8), String(repeating: "x", count: 300))
        let nonce6 = page(String(repeating: "Zq9_", count: 8), String(repeating: "y", count: 40))
        XCTAssertEqual(WebPageDigest(body: Array(nonce4.utf8)), WebPageDigest(body: Array(nonce4.utf8)))
        XCTAssertEqual(WebPageDigest(body: Array(nonce4.utf8)).histogram, WebPageDigest(body: Array(nonce6.utf8)).histogram)
        let same = cell(Self.web(nonce4), Self.web(nonce6))
        XCTAssertEqual(same.status, .passed, same.because)
        XCTAssertTrue(same.because.contains("distance 0.0"), same.because)
        // The same nonce bytes elsewhere (text, another tag's attribute) are counted.
        XCTAssertEqual(String(decoding: WebPageDigest.normalised(Array("<p nonce=\"n\">nonce=\"n\"</p>".utf8)), as: UTF8.self), "<p nonce=\"n\">nonce=\"n\"</p>")
        XCTAssertEqual(String(decoding: WebPageDigest.normalised(Array("<script nonce=abc defer>if (a<b) x()</script>".utf8)), as: UTF8.self),
                       "<script defer>if (a<b) x()</script>")
        XCTAssertEqual(String(decoding: WebPageDigest.normalised(Array("<input name=\"__VIEWSTATE\" value=\"1\"/>x".utf8)), as: UTF8.self), "x")
    }

    /// Unterminated tags end the scan with the rest as text, in linear time (500,000 bytes of
    /// `<a` would otherwise be scanned to the end once per `<`).
    func testUnterminatedTagsAreTextAndCheap() {
        XCTAssertEqual(String(decoding: WebPageDigest.normalised(Array("<p>x</p><script nonce='a".utf8)), as: UTF8.self), "<p>x</p><script nonce='a")
        let hostile = Array(String(repeating: "<a", count: WebPageDigest.maxBodyBytes / 2).utf8)
        let start = ContinuousClock.now
        XCTAssertEqual(WebPageDigest(body: hostile).length, hostile.count)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
    }

    /// Text that is valid UTF-8 is compared as Latin-1 bytes: é one byte, € as `&#8364;`.
    func testTheComparedBytesAreLatin1() {
        XCTAssertEqual(WebPageDigest.normalised(Array("é€".utf8)), [0xE9] + Array("&#8364;".utf8))
        XCTAssertEqual(WebPageDigest.normalised([0xE9, 0x41]), [0xE9, 0x41], "not UTF-8: as received")
    }

    /// Equal pages under an error status: `notice_status_code`, a warning; 400 itself passes.
    func testAnErrorStatusOnBothIsAWarning() {
        let error = cell(Self.web(status: 503), Self.web(status: 503))
        XCTAssertEqual(error.status, .warning, error.because)
        XCTAssertTrue(error.because.contains("error status"), error.because)
        XCTAssertEqual(cell(Self.web(status: 400), Self.web(status: 400)).status, .passed)
        XCTAssertEqual(cell(Self.web(status: 199), Self.web(status: 199)).status, .warning)
    }

    /// Different status codes fail whatever the content (#1267).
    func testDifferentStatusCodesFail() {
        let different = cell(Self.web(status: 200), Self.web(status: 503))
        XCTAssertEqual(different.status, .failed)
        XCTAssertTrue(different.because.contains("status 200 over IPv4"), different.because)
    }

    /// A family that answered on no port fails; so do answers on different ports.
    func testASilentFamilyOrOtherPortsFail() {
        let silent6 = cell(Self.web(), Self.web(https: false, http: false))
        XCTAssertEqual(silent6.status, .failed)
        XCTAssertTrue(silent6.because.contains("IPv6 \(Fixture.v6)") && !silent6.because.contains("IPv4"), silent6.because)
        XCTAssertEqual(cell(Self.web(https: false, http: false), Self.web()).status, .failed)
        let ports = cell(Self.web(), Self.web(http: false))
        XCTAssertEqual(ports.status, .failed)
        XCTAssertTrue(ports.because.contains("port 80 and 443 over IPv4") && ports.because.contains("port 443 over IPv6"), ports.because)
    }

    /// A `GET /` the time cap ended without an answer is Peil's failed request: error, not
    /// failed, whether it leaves a family silent or with fewer ports.
    func testARequestWithoutAnAnswerInTimeIsAnErrorNotAFailure() {
        var silent = Self.web(https: false)
        silent.http = HTTPExchange(url: "http://www.example.nl/", error: HTTPExchange.timedOutError + "10 s (0 bytes received)")
        let both = cell(Self.web(), silent)
        XCTAssertEqual(both.status, .error, both.because)
        XCTAssertTrue(both.because.contains("http://www.example.nl/ over \(Fixture.v6)"), both.because)
        var slow = Self.web()
        slow.https = HTTPExchange(url: "https://www.example.nl/", error: HTTPExchange.timedOutError + "10 s (12 bytes received)")
        XCTAssertEqual(cell(slow, Self.web()).status, .error)
        XCTAssertTrue(HTTPExchange(url: "x", error: HTTPExchange.timedOutError + "1 s").timedOut)
        XCTAssertFalse(HTTPExchange(url: "x", error: "refused").timedOut)
    }

    /// Without HTTPS on either family, port 80's answers are compared.
    func testPort80IsComparedWithoutHTTPS() {
        let plain = cell(Self.web(https: false), Self.web(https: false))
        XCTAssertEqual(plain.status, .passed, plain.because)
        XCTAssertTrue(plain.because.contains("http://www.example.nl/") && plain.because.contains("redirects not followed"), plain.because)
    }

    /// The gate before `simhash`: no AAAA, no reachable IPv6, IPv6 only → not tested; IPv4
    /// unreachable or fewer ports over IPv6 → failed (`SIMHASH_NOT_CALCULABLE`).
    func testTheReachabilityGate() {
        XCTAssertEqual(cell(facts: Fixture.facts(ipv6: [])).status, .notTested)
        XCTAssertEqual(cell(facts: Fixture.facts(ipv6: ["::ffff:198.18.16.1"])).status, .notTested, "IPv4-mapped only")
        let closed = ReachObservation(ports: [PortProbe(port: 80, state: .timeout), PortProbe(port: 443, state: .timeout)])
        XCTAssertEqual(cell(reach: [Fixture.v4: Fixture.open, Fixture.v6: closed]).status, .notTested)
        let ipv6Only = cell(facts: Fixture.facts(ipv4: []), reach: [Fixture.v6: Fixture.open])
        XCTAssertEqual(ipv6Only.status, .notTested, ipv6Only.because)
        XCTAssertEqual(cell(reach: [Fixture.v4: closed, Fixture.v6: Fixture.open]).status, .failed)
        let only443 = ReachObservation(ports: [PortProbe(port: 80, state: .refused), PortProbe(port: 443, state: .open)])
        let fewer = cell(reach: [Fixture.v4: Fixture.open, Fixture.v6: only443])
        XCTAssertEqual(fewer.status, .failed)
        XCTAssertTrue(fewer.because.contains("port 80 open over IPv4"), fewer.because)
        XCTAssertEqual(cell(reach: [Fixture.v4: Fixture.open]).status, .error, "IPv6 reach not probed")
    }

    /// No digest (stored before agents kept one) → not tested; a body cut short → error; no
    /// web observation for an address → error.
    func testMissingOrPartialPages() {
        var old = Self.web()
        old.https?.page = nil
        let before = cell(Self.web(), old)
        XCTAssertEqual(before.status, .notTested)
        XCTAssertTrue(before.because.contains("before agents kept one"), before.because)
        var cut = Self.web()
        cut.https?.page?.error = "closed inside the body after 10 bytes"
        XCTAssertEqual(cell(cut, Self.web()).status, .error)
        var malformed = Self.web()
        malformed.https?.page?.histogram = [1, 2]
        XCTAssertEqual(cell(Self.web(), malformed).status, .error)
        // An agent's counts whose sum would overflow: an error, not a trap.
        var huge = Self.web()
        huge.https?.page?.histogram = [Int](repeating: Int.max / 2, count: 256)
        let overflowing = cell(huge, huge)
        XCTAssertEqual(overflowing.status, .error, overflowing.because)
        XCTAssertTrue(overflowing.because.contains("malformed digest"), overflowing.because)
        let unprobed = IPv6Subtests.sameWebsite(Fixture.evidence(web: [Fixture.v4: Self.web()]))
        XCTAssertEqual(unprobed.status, .error, unprobed.because)
    }

    /// The digest is optional in stored observations: one stored before it decodes with none.
    func testAnExchangeStoredBeforeTheDigestDecodes() throws {
        let old = #"{"url":"https://www.example.nl/","status":200,"headers":[],"bodyBytes":12}"#
        let exchange = try JSONDecoder().decode(HTTPExchange.self, from: Data(old.utf8))
        XCTAssertNil(exchange.page)
        let new = HTTPExchange(url: "https://www.example.nl/", status: 200, page: WebPageDigest(body: Array(Self.page.utf8), truncated: true))
        XCTAssertEqual(try JSONDecoder().decode(HTTPExchange.self, from: JSONEncoder().encode(new)), new)
    }

    /// Wired into the web subtests.
    func testItIsAWebSubtest() {
        let cells = WebSubtests.evaluate(Fixture.evidence(web: [Fixture.v4: Self.web(), Fixture.v6: Self.web()]),
                                         columns: [:], ruleSet: .internetnlCurrent, dane: WebSubtestsTests.recordingJudge, tlsaDNSSEC: .secure)
        XCTAssertEqual(cells[.webIPv6WSSimilar]?.status, .passed)
        XCTAssertTrue(JudgedSubtests.all.contains(.webIPv6WSSimilar))
    }
}
