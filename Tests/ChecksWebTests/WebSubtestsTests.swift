import Checks
import PeilModel
import XCTest

/// The web subtests from constructed evidence (``WebColumnsTests``' fixtures): the security
/// headers of the HTTPS response, CAA, DANE for `_443._tcp`, and the halves of the IPv6 and
/// DNSSEC columns, each by Internet.nl's rule (CHECKS.md, web table).
final class WebSubtestsTests: XCTestCase {
    typealias Fixture = WebColumnsTests

    /// A DANE judge that reports what it was given, as `dane_exists` (no certificates matched).
    static let recordingJudge: DANESubtestJudge = { host, tlsa, dnssec, chain in
        [SubtestResult(name: "dane_exists", status: tlsa.isEmpty ? .failed : .passed, requirement: .informational,
                       findings: [Finding("seen", subject: host, detail: "\(tlsa.count) records, \(dnssec.rawValue), chain \(chain?.count ?? 0)")])]
    }

    func subtests(_ evidence: DomainEvidence, ruleSet: RuleSet = .internetnlCurrent, tlsaDNSSEC: DNSSECStatus = .secure) -> [SubtestID: StatusCell] {
        WebSubtests.evaluate(evidence, columns: WebColumns.evaluate(evidence, ruleSet: ruleSet), ruleSet: ruleSet,
                             dane: Self.recordingJudge, tlsaDNSSEC: tlsaDNSSEC)
    }

    func web(headers: [(String, String)]) -> WebObservation {
        var web = Fixture.web()
        web.https?.headers += headers.map { HTTPHeaderField(name: $0.0, value: $0.1) }
        return web
    }

    /// Internet.nl: X-Frame-Options DENY/SAMEORIGIN passes, else info; X-Content-Type-Options
    /// nosniff passes, else warning; CSP missing → warning; Referrer-Policy absent → info.
    func testSecurityHeadersOfTheHTTPSResponse() {
        let good = web(headers: [("X-Frame-Options", "SAMEORIGIN"), ("X-Content-Type-Options", "nosniff"),
                                 ("Referrer-Policy", "same-origin"), ("Content-Security-Policy", "default-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'self'")])
        let cells = subtests(Fixture.evidence(web: [Fixture.v4: good, Fixture.v6: good]))
        XCTAssertEqual(cells[.webAppsecprivXFrameOptions]?.status, .passed)
        XCTAssertEqual(cells[.webAppsecprivXContentTypeOptions]?.status, .passed)
        XCTAssertEqual(cells[.webAppsecprivReferrerPolicy]?.status, .passed)
        XCTAssertEqual(cells[.webAppsecprivCSP]?.status, .passed, cells[.webAppsecprivCSP]?.because ?? "")

        let bare = subtests(Fixture.evidence())
        XCTAssertEqual(bare[.webAppsecprivXFrameOptions]?.status, .info)
        XCTAssertEqual(bare[.webAppsecprivXContentTypeOptions]?.status, .warning)
        XCTAssertEqual(bare[.webAppsecprivReferrerPolicy]?.status, .info)
        XCTAssertEqual(bare[.webAppsecprivCSP]?.status, .warning)
        XCTAssertTrue(bare[.webAppsecprivXContentTypeOptions]?.because.contains("header-missing: X-Content-Type-Options") == true)
    }

    /// Across the probed addresses a subtest takes the worst status and names the address.
    func testTheWorstAddressDecides() {
        let good = web(headers: [("X-Frame-Options", "DENY")])
        let bad = web(headers: [("X-Frame-Options", "ALLOW-FROM https://example.org/")])
        let cell = subtests(Fixture.evidence(web: [Fixture.v4: good, Fixture.v6: bad]))[.webAppsecprivXFrameOptions]
        XCTAssertEqual(cell?.status, .info)
        XCTAssertEqual(cell?.because.hasPrefix(Fixture.v6), true, cell?.because ?? "")
    }

    /// TLS completed but no HTTP answer over it: the header subtests are unknown, not absent.
    func testNoHTTPSResponseIsAnError() {
        var web = Fixture.web()
        web.https = HTTPExchange(url: "https://www.example.nl/", error: "timeout")
        let cells = subtests(Fixture.evidence(web: [Fixture.v4: web, Fixture.v6: Fixture.web()]))
        XCTAssertEqual(cells[.webAppsecprivXFrameOptions]?.status, .error)
        XCTAssertEqual(cells[.webAppsecprivCSP]?.because.contains("timeout"), true)
    }

    /// Without HTTPS every HTTPS-dependent subtest is not tested; the redirect is the column's.
    func testWithoutHTTPSTheRestIsNotTested() {
        let refused = WebObservation(tls: TLSScanResult(outcome: .noTLS), https: nil, http: nil, port80: .refused)
        let cells = subtests(Fixture.evidence(web: [Fixture.v4: refused, Fixture.v6: refused]))
        XCTAssertEqual(cells[.webHTTPSHTTPAvailable]?.status, .failed)
        for id in [SubtestID.webHTTPSHTTPHSTS, .webHTTPSTLSVersion, .webHTTPSCertChain, .webHTTPSTLSCAA, .webHTTPSDANEExist, .webAppsecprivReferrerPolicy] {
            XCTAssertEqual(cells[id]?.status, .notTested, id.rawValue)
        }
    }

    /// CAA: the set the climb found is judged; none found → warning; the web host's CAA lookup
    /// failed and nothing found → error (absence unknown).
    func testCAA() {
        var facts = Fixture.facts()
        facts.caaFoundAt = "example.nl"
        facts.caa = [#"0 issue "letsencrypt.org""#]
        XCTAssertEqual(subtests(Fixture.evidence(facts: facts))[.webHTTPSTLSCAA]?.status, .passed)
        XCTAssertEqual(subtests(Fixture.evidence())[.webHTTPSTLSCAA]?.status, .warning)
        var failed = Fixture.evidence()
        failed.failedLookups = ["www.example.nl CAA"]
        XCTAssertEqual(subtests(failed)[.webHTTPSTLSCAA]?.status, .error)
    }

    /// DANE: the judge gets the web host, its `_443._tcp` TLSA, their DNSSEC status and the
    /// chain each address presented.
    func testDANEIsJudgedPerAddressWithTheTLSAOfTheWebHost() {
        var facts = Fixture.facts()
        facts.webTLSA = ["3 1 1 " + String(repeating: "ab", count: 32)]
        var web = Fixture.web()
        web.tls.certificate?.chainDER = ["MIIB", "MIIC"]
        let cell = subtests(Fixture.evidence(facts: facts, web: [Fixture.v4: web, Fixture.v6: web]), tlsaDNSSEC: .insecure)[.webHTTPSDANEExist]
        XCTAssertEqual(cell?.status, .passed)
        XCTAssertEqual(cell?.because.contains("seen: www.example.nl: 1 records, insecure, chain 2"), true, cell?.because ?? "")
    }

    /// The IPv6 columns' halves: addresses and reachability are separate subtests.
    func testIPv6Halves() {
        let single = [HostAddresses(host: "ns1.dns.nl", ipv4: ["198.18.0.1"], ipv6: ["2001:2::1"]), HostAddresses(host: "ns2.dns.nl", ipv4: ["198.18.0.2"])]
        let cells = subtests(Fixture.evidence(facts: Fixture.facts(ipv6: [], nameservers: single), web: [Fixture.v4: Fixture.web()]))
        XCTAssertEqual(cells[.webIPv6NSAddress]?.status, .failed, "one of two nameservers with AAAA")
        XCTAssertEqual(cells[.webIPv6NSReach]?.status, .passed, "the one IPv6 address answers")
        XCTAssertEqual(cells[.webIPv6WSAddress]?.status, .failed)
        XCTAssertEqual(cells[.webIPv6WSReach]?.status, .notTested, "no AAAA: nothing to reach")
        let silent = subtests(Fixture.evidence(answered: false))
        XCTAssertEqual(silent[.webIPv6NSAddress]?.status, .passed)
        XCTAssertEqual(silent[.webIPv6NSReach]?.status, .failed)
    }

    /// DNSSEC: secure passes both; insecure fails existence (validity not tested); bogus
    /// exists but is not valid; a failed lookup is unknown.
    func testDNSSECHalves() {
        func pair(_ status: DNSSECStatus) -> [Status] {
            let cells = subtests(Fixture.evidence(facts: Fixture.facts(webDNSSEC: status)))
            return [cells[.webDNSSECExist]!.status, cells[.webDNSSECValid]!.status]
        }
        XCTAssertEqual(pair(.secure), [.passed, .passed])
        XCTAssertEqual(pair(.insecure), [.failed, .notTested])
        XCTAssertEqual(pair(.bogus), [.passed, .failed])
        XCTAssertEqual(pair(.error), [.error, .error])
    }

    /// The TLS subtests are the checks' results, one per subtest: a TLS 1.0 server fails
    /// `tls_version` and nothing else of the version's doing.
    func testTLSSubtestsAreTheChecksResults() {
        var old = Fixture.modern()
        old.versions = [.tls10, .tls12]
        let cells = subtests(Fixture.evidence(web: [Fixture.v4: Fixture.web(old), Fixture.v6: Fixture.web()]))
        XCTAssertEqual(cells[.webHTTPSTLSVersion]?.status, .failed)
        XCTAssertEqual(cells[.webHTTPSTLSVersion]?.because.contains("insufficient: TLS 1.0"), true, cells[.webHTTPSTLSVersion]?.because ?? "")
        XCTAssertEqual(cells[.webHTTPSCertChain]?.status, .passed)
        XCTAssertEqual(cells[.webHTTPSTLSOCSP]?.status, .passed)
    }
}
