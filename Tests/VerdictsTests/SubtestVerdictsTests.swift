import Checks
import PeilModel
import Verdicts
import XCTest

/// The per-domain subtests through the one verdict path: what a well-run domain passes, what
/// it does not, and what follows from a missing prerequisite.
final class SubtestVerdictsTests: XCTestCase {
    func testAWellRunDomain() async throws {
        let all = await JudgedDomains.all()
        let good = try XCTUnwrap(all.first { $0.domain == "good.nl" })
        XCTAssertEqual(Set(good.subtests.keys), Set(JudgedSubtests.all), "every judged subtest has a cell")
        let notPassed: [SubtestID: Status] = [
            .webHTTPSDANEExist: .info, .webHTTPSDANEValid: .notTested, .webAppsecprivCSP: .warning,
            .webAppsecprivSecurityTxt: .info,
            .mailSTARTTLSDANEExist: .failed, .mailSTARTTLSDANEValid: .notTested,
            .mailSTARTTLSDANERollover: .notTested,
            // No routing snapshot was given: the RPKI subtests say so.
            .webRPKIExists: .notTested, .webRPKIValid: .notTested, .webNSRPKIExists: .notTested, .webNSRPKIValid: .notTested,
            .mailRPKIExists: .notTested, .mailRPKIValid: .notTested, .mailNSRPKIExists: .notTested, .mailNSRPKIValid: .notTested,
            .mailMXNSRPKIExists: .notTested, .mailMXNSRPKIValid: .notTested,
        ]
        for (id, cell) in good.subtests {
            XCTAssertEqual(cell.status, notPassed[id] ?? .passed, "\(id): \(cell.because)")
        }
        XCTAssertEqual(good.subtests[.webAppsecprivCSP]?.because.contains("header-missing"), true)
        XCTAssertEqual(good.subtests[.webAppsecprivSecurityTxt]?.because.contains("https://www.good.nl/.well-known/security.txt (200): no_encryption, not_signed"), true)
        XCTAssertEqual(good.subtests[.webHTTPSTLSCAA]?.because, #"good.nl: found-host: good.nl, caa-record: 0 issue "letsencrypt.org""#)
    }

    /// With the measurement's routing snapshot, the RPKI subtests of the web server, the mail
    /// servers and the nameservers judge their own addresses.
    func testRPKISubtestsJudgeEachServerKindsAddresses() async throws {
        let facts = JudgedDomains.facts("good.nl", mx: true, caa: [])
        let addresses = ([facts.web] + facts.nameservers + (facts.mxNameservers ?? [])).flatMap { $0.ipv4 + $0.ipv6 }
            + facts.mx.flatMap { $0.ipv4 + $0.ipv6 }
        XCTAssertFalse(addresses.isEmpty)
        func snapshot(invalid: Set<String>) -> RPKISnapshot {
            RPKISnapshot(roas: addresses.map { ValidatedROA(prefix: IPNetwork($0)!, maxLength: IPNetwork($0)!.prefixLength, asn: 64500) },
                         routes: addresses.map { OriginRoute(prefix: IPNetwork($0)!, origin: invalid.contains($0) ? 64666 : 64500) })
        }
        func judge(_ snapshot: RPKISnapshot) async -> DomainVerdicts {
            await DomainVerdicts.evaluate(domain: .init(name: "good.nl", state: "done"),
                                          resolution: ResolutionObservation(facts: facts, queries: JudgedDomains.queries("good.nl", mail: true)),
                                          linked: JudgedDomains.linked("good.nl", https: true, mail: true), ruleSet: .internetnlCurrent,
                                          psl: JudgedDomains.psl, rpki: snapshot)
        }
        let rpki: [SubtestID] = [.webRPKIExists, .webRPKIValid, .webNSRPKIExists, .webNSRPKIValid,
                                 .mailRPKIExists, .mailRPKIValid, .mailNSRPKIExists, .mailNSRPKIValid, .mailMXNSRPKIExists, .mailMXNSRPKIValid]
        let valid = await judge(snapshot(invalid: []))
        for id in rpki { XCTAssertEqual(valid.subtests[id]?.status, .passed, "\(id): \(valid.subtests[id]?.because ?? "none")") }
        let webAddress = try XCTUnwrap(facts.web.ipv4.first)
        let hijacked = await judge(snapshot(invalid: [webAddress]))
        XCTAssertEqual(hijacked.subtests[.webRPKIValid]?.status, .failed)
        XCTAssertEqual(hijacked.subtests[.webRPKIValid]?.because.contains("AS64666: invalid (as)"), true)
        XCTAssertEqual(hijacked.subtests[.webRPKIExists]?.status, .passed, "the ROA exists; the route is what is wrong")
        for id in rpki where id != .webRPKIValid { XCTAssertEqual(hijacked.subtests[id]?.status, .passed, "\(id)") }
        XCTAssertEqual(hijacked.web, valid.web, "RPKI is no bulk column: the bulk cells do not move")
        // The MX hosts' nameservers (ns.mailhoster.nl) are their own server kind.
        let mailDNS = await judge(snapshot(invalid: ["2001:2::9"]))
        XCTAssertEqual(mailDNS.subtests[.mailMXNSRPKIValid]?.status, .failed)
        XCTAssertEqual(mailDNS.subtests[.mailMXNSRPKIValid]?.because.contains("ns.mailhoster.nl"), true)
        for id in rpki where id != .mailMXNSRPKIValid { XCTAssertEqual(mailDNS.subtests[id]?.status, .passed, "\(id)") }
    }

    /// Facts stored before the MX hosts' nameservers were looked up: those two are not tested.
    func testMailExchangersNameserversNotObservedAreNotTested() {
        var facts = JudgedDomains.facts("good.nl", mx: true, caa: [])
        facts.mxNameservers = nil
        let cells = RPKIDomainSubtests.evaluate(facts, snapshot: RPKISnapshot(roas: [], routes: []))
        XCTAssertEqual(cells[.mailMXNSRPKIExists]?.status, .notTested)
        XCTAssertEqual(cells[.mailMXNSRPKIValid]?.because.contains("not observed"), true)
        XCTAssertEqual(cells[.mailNSRPKIExists]?.status, .warning, "the others are judged as before")
    }

    /// The bulk columns and the subtests behind them say the same.
    func testSubtestsAgreeWithTheirColumns() async throws {
        for verdict in await JudgedDomains.all() {
            XCTAssertEqual(verdict.subtests[.webHTTPSHTTPAvailable], verdict.web["tls_available"], verdict.domain)
            XCTAssertEqual(verdict.subtests[.webHTTPSHTTPRedirect], verdict.web["https_redirect"], verdict.domain)
            XCTAssertEqual(verdict.subtests[.mailSTARTTLSTLSAvailable], verdict.mail["starttls"], verdict.domain)
            XCTAssertEqual(verdict.subtests[.mailAuthSPFExist]?.status, verdict.mail["spf"]?.status, verdict.domain)
            XCTAssertEqual(verdict.subtests[.mailAuthDMARCPolicy]?.status, verdict.mail["dmarc_policy"]?.status, verdict.domain)
        }
    }

    func testWithoutHTTPSOrMXTheDependentSubtestsAreNotTested() async throws {
        let all = await JudgedDomains.all()
        let plain = try XCTUnwrap(all.first { $0.domain == "plain.nl" })
        XCTAssertEqual(plain.subtests[.webHTTPSHTTPAvailable]?.status, .failed)
        for id in [SubtestID.webHTTPSHTTPHSTS, .webHTTPSTLSVersion, .webHTTPSTLSCAA, .webHTTPSDANEExist, .webAppsecprivXFrameOptions, .webAppsecprivCSP] {
            XCTAssertEqual(plain.subtests[id]?.status, .notTested, id.rawValue)
        }
        XCTAssertEqual(plain.subtests[.mailSTARTTLSTLSAvailable]?.status, .noMX)
        for id in [SubtestID.mailSTARTTLSTLSVersion, .mailSTARTTLSDANEExist, .mailIPv6MXAddress, .mailDNSSECMXExist] {
            XCTAssertEqual(plain.subtests[id]?.status, .notTested, id.rawValue)
        }
    }

    func testWithoutAResolutionEverySubtestSaysWhy() async throws {
        let all = await JudgedDomains.all()
        let gone = try XCTUnwrap(all.first { $0.domain == "gone.nl" })
        XCTAssertEqual(Set(gone.subtests.keys), Set(JudgedSubtests.all))
        XCTAssertTrue(gone.subtests.values.allSatisfy { $0 == StatusCell(.notTestable, "not testable: 3 attempts timed out") })
    }
}
