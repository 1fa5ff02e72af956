import Checks
import Foundation
import PeilModel
import XCTest

@testable import Lab

/// The twin's CAA at its mail servers: every set is put at some MX host, the compiled zones
/// hold it where the truth's facts find it, and the truth of `mail_starttls_tls_caa` follows
/// the set found and the STARTTLS prerequisite.
final class TwinMailSecurityTests: XCTestCase {
    func testEveryCAASetIsAtSomeMailServer() throws {
        let twin = try TwinWorldTests.twin.get()
        XCTAssertEqual(Set(twin.mailPlatforms.compactMap(\.caa)), Set(TwinCAA.allCases))
    }

    /// Passed, warning and not tested all occur; a warning is a set without `issue` or with a
    /// bad property, or none found; passed only where STARTTLS passed.
    func testTheTruthFollowsTheSetFoundAndSTARTTLS() throws {
        let truth = try TwinWorldTests.truth.get()
        var seen = Set<Status>()
        for domain in truth {
            let cell = try XCTUnwrap(domain.subtests["internetnl-current"]?[SubtestID.mailSTARTTLSTLSCAA.rawValue], domain.domain)
            XCTAssertEqual(domain.subtests["internetnl-2021"]?[SubtestID.mailSTARTTLSTLSCAA.rawValue], cell, "the same under both rule sets")
            seen.insert(cell.status)
            if (domain.mail["starttls"].map { $0.derived ?? $0.status }) != .passed {
                XCTAssertEqual(cell.status, .notTested, "\(domain.domain): \(cell.because)")
                continue
            }
            let judged = domain.facts.mx.map { host in
                CAACheck.evaluate(foundAt: host.caa?.foundAt, records: host.caa?.records ?? []).status
            }
            XCTAssertEqual(cell.status, Status.worst(of: judged), "\(domain.domain): the checks judge the facts as the truth says (\(cell.because))")
        }
        XCTAssertEqual(seen, [.passed, .warning, .notTested])
    }

    /// Internet.nl climbs from each MX host (`checks/tasks/tls/scans.py`): the facts of a domain
    /// on a provider's two MX hosts name each host's own set.
    func testTheFactsHaveTheSetAtEachMailHost() throws {
        let twin = try TwinWorldTests.twin.get()
        let truth = try TwinWorldTests.truth.get()
        let platforms = Dictionary(twin.mailPlatforms.flatMap { platform in platform.hostNames.map { ($0, platform) } }, uniquingKeysWith: { first, _ in first })
        var checked = 0
        for domain in truth {
            for host in domain.facts.mx where !host.host.isEmpty {
                let set = try XCTUnwrap(platforms[host.host]?.caa, host.host)
                guard set != .none else { continue }
                XCTAssertEqual(host.caa, CAASet(foundAt: host.host, records: set.records(host: host.host)), host.host)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 0)
    }

    /// Every TLS-RPT variant is published somewhere; the check judges each variant's records as
    /// the truth says; the truth reads the variant back from the facts (null MX: not tested).
    func testTLSRPTVariantsAndTheirTruth() throws {
        let twin = try TwinWorldTests.twin.get()
        XCTAssertEqual(Set(twin.domains.compactMap(\.mail.tlsrpt)), Set(TwinTLSRPT.allCases))
        for variant in TwinTLSRPT.allCases {
            XCTAssertEqual(TLSRPTCheck.evaluate(variant.records(domain: "voorbeeld.nl")).status, variant.status, variant.rawValue)
        }
        let byName = Dictionary(uniqueKeysWithValues: twin.domains.map { ($0.name, $0) })
        var seen = Set<Status>()
        for domain in try TwinWorldTests.truth.get() {
            let cell = try XCTUnwrap(domain.subtests["internetnl-2021"]?[PeilSubtestID.mailTLSRPT.rawValue], domain.domain)
            seen.insert(cell.status)
            let variant = byName[domain.domain]?.mail.tlsrpt ?? .none
            XCTAssertEqual(cell.status, domain.facts.nullMX ? .notTested : variant.status, "\(domain.domain): \(cell.because)")
        }
        XCTAssertEqual(seen, [.passed, .info, .warning, .notTested])
    }
}
