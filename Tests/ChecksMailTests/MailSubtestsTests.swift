@testable import Checks
import PeilModel
import XCTest

/// The mail subtests from constructed evidence (``MailServerColumnsTests``' fixtures): the
/// STARTTLS TLS subtests per MX address, DANE per MX host, the halves of the IPv6 and DNSSEC
/// columns, and the authentication results surfaced as they are.
final class MailSubtestsTests: XCTestCase {
    typealias Fixture = MailServerColumnsTests

    static let auth = MailAuthColumns(
        dmarc: SubtestResult(name: "dmarc", status: .passed, requirement: .mandatory),
        dmarcPolicy: SubtestResult(name: "dmarc_policy", status: .failed, requirement: .mandatory, findings: [Finding("policy-none")]),
        spf: SubtestResult(name: "spf", status: .passed, requirement: .mandatory),
        spfPolicy: SubtestResult(name: "spf_policy", status: .passed, requirement: .mandatory),
        dkim: SubtestResult(name: "dkim", status: .passed, requirement: .mandatory), dkimWildcardProbe: nil)

    /// A judge that passes `dane_exists` for records and `dane_valid` when a chain was given.
    static let judge: DANESubtestJudge = { host, tlsa, _, chain in
        [SubtestResult(name: "dane_exists", status: tlsa.isEmpty ? .failed : .passed, requirement: .mandatory),
         SubtestResult(name: "dane_valid", status: chain == nil ? .notTested : .passed, requirement: .mandatory, findings: [Finding("host", subject: host)]),
         SubtestResult(name: "dane_rollover", status: .failed, requirement: .informational)]
    }

    func subtests(_ evidence: DomainEvidence, ruleSet: RuleSet = .internetnlCurrent) -> [SubtestID: StatusCell] {
        let columns = MailServerColumns.evaluate(evidence, ruleSet: ruleSet) { _, _ in (true, "judged") }
        return MailSubtests.evaluate(evidence, auth: Self.auth, columns: columns, ruleSet: ruleSet, dane: Self.judge)
    }

    func testAuthenticationResultsAreSurfaced() {
        let cells = subtests(Fixture.evidence())
        XCTAssertEqual(cells[.mailAuthDMARCExist]?.status, .passed)
        XCTAssertEqual(cells[.mailAuthDMARCPolicy], StatusCell(.failed, "example.nl: policy-none"))
        XCTAssertEqual(cells[.mailAuthDKIMExist]?.status, .passed)
    }

    /// One MX address with TLS 1.1 fails `tls_version`, naming it; trust is informational.
    func testTLSSubtestsPerAddress() {
        let cells = subtests(Fixture.evidence(mail: [Fixture.mx4: Fixture.scan(versions: [.tls11, .tls12]), Fixture.mx6: Fixture.scan(trusted: false)]))
        XCTAssertEqual(cells[.mailSTARTTLSTLSVersion]?.status, .failed)
        XCTAssertEqual(cells[.mailSTARTTLSTLSVersion]?.because.hasPrefix("mx.example.nl \(Fixture.mx4)"), true, cells[.mailSTARTTLSTLSVersion]?.because ?? "")
        XCTAssertEqual(cells[.mailSTARTTLSCertChain]?.status, .info, "mail: certificate trust is informational")
        XCTAssertEqual(cells[.mailSTARTTLSTLSZeroRTT]?.status, .passed, "0-RTT does not apply to SMTP: Internet.nl's 'na' is passed")
        XCTAssertEqual(cells[.mailSTARTTLSTLSZeroRTT]?.because.contains("na: 0-RTT does not apply to SMTP"), true)
        XCTAssertEqual(cells[.mailSTARTTLSTLSAvailable]?.status, .passed)
    }

    func testDANEPerHost() {
        let cells = subtests(Fixture.evidence())
        XCTAssertEqual(cells[.mailSTARTTLSDANEExist]?.status, .passed)
        XCTAssertEqual(cells[.mailSTARTTLSDANEValid]?.status, .passed, "the chain the host presented was passed in")
        XCTAssertEqual(cells[.mailSTARTTLSDANERollover]?.status, .info, "informational: failed is clamped to info")
    }

    /// No MX host because the MX lookup failed: the server subtests are unknown, not untested.
    func testAFailedMXLookupLeavesTheServerSubtestsUnknown() {
        var evidence = Fixture.evidence(Fixture.facts(mx: []), mail: [:])
        XCTAssertEqual(subtests(evidence)[.mailIPv6MXAddress]?.status, .notTested, "no MX")
        evidence.failedLookups = ["example.nl MX"]
        let cells = subtests(evidence)
        for id in [SubtestID.mailIPv6MXAddress, .mailDNSSECMXExist, .mailSTARTTLSTLSVersion, .mailSTARTTLSDANEExist] {
            XCTAssertEqual(cells[id]?.status, .error, "\(id)")
        }
        XCTAssertEqual(cells[.mailSTARTTLSTLSAvailable]?.because, "the MX lookup of example.nl failed")
    }

    /// No STARTTLS anywhere: the TLS and DANE subtests are not tested; the IPv6 and DNSSEC
    /// subtests of the MX hosts still are judged.
    func testWithoutSTARTTLSTheTLSSubtestsAreNotTested() {
        let cells = subtests(Fixture.evidence(mail: [Fixture.mx4: Fixture.scan(.noStartTLS), Fixture.mx6: Fixture.scan(.noStartTLS)]))
        XCTAssertEqual(cells[.mailSTARTTLSTLSAvailable]?.status, .failed)
        XCTAssertEqual(cells[.mailSTARTTLSTLSVersion]?.status, .notTested)
        XCTAssertEqual(cells[.mailSTARTTLSDANEExist]?.status, .notTested)
        XCTAssertEqual(cells[.mailIPv6MXAddress]?.status, .passed)
        XCTAssertEqual(cells[.mailDNSSECMXValid]?.status, .passed)
    }

    /// IPv6: every MX host needs AAAA; every IPv6 address must answer on port 25.
    func testIPv6Halves() {
        let v4only = Fixture.facts(mx: [MailExchanger(preference: 10, host: "mx.example.nl", dnssec: .secure, ipv4: [Fixture.mx4])])
        let noAAAA = subtests(Fixture.evidence(v4only, mail: [Fixture.mx4: Fixture.scan()]))
        XCTAssertEqual(noAAAA[.mailIPv6MXAddress]?.status, .failed)
        XCTAssertEqual(noAAAA[.mailIPv6MXReach]?.status, .notTested)
        let silent = subtests(Fixture.evidence(mail: [Fixture.mx4: Fixture.scan(), Fixture.mx6: Fixture.scan(.unreachable)]))
        XCTAssertEqual(silent[.mailIPv6MXAddress]?.status, .passed)
        XCTAssertEqual(silent[.mailIPv6MXReach]?.status, .failed)
    }

    /// DNSSEC of the MX host names: the worst host decides.
    func testDNSSECOfTheMailServers() {
        let facts = Fixture.facts(mx: [MailExchanger(preference: 10, host: "mx1.example.nl", dnssec: .secure, ipv4: [Fixture.mx4]),
                                       MailExchanger(preference: 20, host: "mx2.example.net", dnssec: .insecure, ipv4: ["198.18.32.2"])])
        let cells = subtests(Fixture.evidence(facts, mail: [Fixture.mx4: Fixture.scan(), "198.18.32.2": Fixture.scan()]))
        XCTAssertEqual(cells[.mailDNSSECMXExist], StatusCell(.failed, "mx2.example.net: insecure"))
        XCTAssertEqual(cells[.mailDNSSECMailtoExist]?.status, .passed)
    }

    /// CAA per MX host (Internet.nl's `mail_caa`): the worst host decides; a host without a set
    /// warns `not-found`; a failed lookup with nothing found is `error`; an observation from
    /// before the per-host climb is not tested; without STARTTLS it is not tested.
    func testCAAPerMailServer() {
        func exchanger(_ host: String, _ address: String, caa: CAASet?) -> MailExchanger {
            MailExchanger(preference: 10, host: host, dnssec: .secure, ipv4: [address], caa: caa)
        }
        let good = CAASet(foundAt: "example.nl", records: ["0 issue \"ca.lab\""])
        func cell(_ second: CAASet?, failed: Set<String> = [], starttls: Bool = true) -> StatusCell? {
            let facts = Fixture.facts(mx: [exchanger("mx1.example.nl", Fixture.mx4, caa: good), exchanger("mx2.example.nl", "198.18.32.2", caa: second)])
            var evidence = Fixture.evidence(facts, mail: [Fixture.mx4: Fixture.scan(), "198.18.32.2": Fixture.scan(starttls ? .completed : .noStartTLS)])
            evidence.failedLookups = failed
            return subtests(evidence)[.mailSTARTTLSTLSCAA]
        }
        XCTAssertEqual(cell(good)?.status, .passed)
        XCTAssertEqual(cell(good)?.because.contains("found-host: example.nl"), true, cell(good)?.because ?? "")
        let none = cell(CAASet(foundAt: nil, records: []))
        XCTAssertEqual(none, StatusCell(.warning, "mx2.example.nl: not-found"), "optional: a missing set is a warning")
        let noIssue = cell(CAASet(foundAt: "mx2.example.nl", records: ["0 issuewild \"ca.lab\""]))
        XCTAssertEqual(noIssue?.status, .warning)
        XCTAssertEqual(noIssue?.because.contains("missing-required-property-issue"), true, noIssue?.because ?? "")
        XCTAssertEqual(cell(CAASet(foundAt: nil, records: []), failed: ["mx2.example.nl CAA"]), StatusCell(.error, "the CAA lookup of mx2.example.nl failed"))
        XCTAssertEqual(cell(nil)?.status, .notTested, "stored before the per-host climb")
        XCTAssertEqual(cell(good, starttls: false)?.status, .notTested, "STARTTLS did not pass")
    }
}
