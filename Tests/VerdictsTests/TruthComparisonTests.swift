import Lab
import PeilModel
import Verdicts
import XCTest

/// Measured verdicts against a twin's truth.
final class TruthComparisonTests: XCTestCase {
    func truth(_ domain: String, web: [String: StatusCell], mail: [String: StatusCell]) -> TwinDomainTruth {
        let facts = DNSFacts(domain: domain, dnssec: .secure, nsZone: domain, nameservers: [], domainAddresses: HostAddresses(host: domain),
                             web: HostAddresses(host: "www." + domain), webDNSSEC: .secure, mx: [], nullMX: false, txt: [], spf: [], dmarc: [],
                             domainKey: .exists, caaFoundAt: nil, caa: [], webTLSA: [])
        return TwinDomainTruth(domain: domain, webHost: "www." + domain, layer: "rijk", sets: ["primary"], web: web, mail: mail, facts: facts)
    }

    func testCellsAgreeOnTheStatusOrTheDerivedOne() {
        let truth = [
            truth("a.nl", web: ["hsts": StatusCell(.passed, "max-age=31536000"), "tls_available": StatusCell(.error, "silent")],
                      mail: ["dane": StatusCell(.notTested, "as reported in March 2021", derived: .info),
                             "ipv6_nameserver": StatusCell(.passed, "two with AAAA")]),
        ]
        let measured = [
            DomainVerdicts(domain: "a.nl", web: ["hsts": StatusCell(.passed, "ok"), "tls_available": StatusCell(.failed, "refused")],
                           mail: ["dane": StatusCell(.info, "no MX, but an address"), "ipv6_nameserver": StatusCell(.failed, "one silent")]),
            DomainVerdicts(domain: "unknown.nl", web: ["hsts": StatusCell(.failed, "")], mail: [:]),
        ]
        let comparison = TruthComparison(measured: measured, truth: truth)
        XCTAssertEqual(comparison.domains, 1, "a domain the truth does not know is skipped")
        XCTAssertEqual(comparison.totalCells, 4)
        XCTAssertEqual(comparison.totalAgreed, 2, "hsts, and dane through its derived status")
        XCTAssertEqual(comparison.agreement ?? 0, 50, accuracy: 1e-9)
        XCTAssertEqual(comparison.disagreements.map(\.column), [BulkColumnID(.web, "tls_available"), .mailIPv6Nameserver],
                       "the mail nameserver column is its own")
        XCTAssertEqual(comparison.timeoutsReadAsFailures.map(\.column), [BulkColumnID(.web, "tls_available")])
        XCTAssertEqual(comparison.groups.count, 2)
        XCTAssertEqual(comparison.cells[.webIPv6Nameserver], nil)
        XCTAssertEqual(comparison.cells[.mailIPv6Nameserver], 1)
    }
}
