import Foundation
import PeilModel
import XCTest

/// A report keeps its observations out of line (copies through the coordinator move a
/// reference, not the observations) and still codes as the synthesized conformance did.
final class TaskReportCodingTests: XCTestCase {
    private let web = WebObservation(tls: TLSScanResult(outcome: .completed), https: nil, http: nil, port80: .open)

    private func resolution(_ domain: String) -> ResolutionObservation {
        let none = HostAddresses(host: domain)
        let facts = DNSFacts(domain: domain, dnssec: .secure, nsZone: domain, nameservers: [], domainAddresses: none, web: none,
                             webDNSSEC: .secure, mx: [], nullMX: false, txt: [], spf: [], dmarc: [], domainKey: .nxdomain,
                             caaFoundAt: nil, caa: [], webTLSA: [])
        return ResolutionObservation(facts: facts, queries: [DNSQueryRecord(name: domain, type: "SOA", rcode: "NOERROR", dnssec: .secure, records: [])])
    }

    func testTheObservationsAreOutOfLine() {
        XCTAssertLessThanOrEqual(MemoryLayout<TaskReport>.size, 64, "the observations inline made a report about 900 bytes")
    }

    func testAbsentObservationsAreLeftOutAndMissingKeysReadAsAbsent() throws {
        let report = TaskReport(taskID: 7, attempt: 1, outcome: .timeout, detail: "slow")
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["taskID", "attempt", "outcome", "detail"])
        let decoded = try JSONDecoder().decode(TaskReport.self, from: Data(#"{"taskID":7,"attempt":1,"outcome":"timeout"}"#.utf8))
        XCTAssertEqual(decoded, TaskReport(taskID: 7, attempt: 1, outcome: .timeout))
        XCTAssertNil(decoded.resolution)
        XCTAssertNil(decoded.connect)
    }

    func testARoundTripKeepsBothObservations() throws {
        let report = TaskReport(taskID: 8, attempt: 2, outcome: .completed,
                                resolution: resolution("example.nl"),
                                connect: ConnectObservation(reach: ReachObservation(ports: []), web: web))
        let decoded = try JSONDecoder().decode(TaskReport.self, from: JSONEncoder().encode(report))
        XCTAssertEqual(decoded, report)
        XCTAssertEqual(decoded.hashValue, report.hashValue)
        XCTAssertEqual(decoded.connect?.web, web)
        XCTAssertEqual(decoded.resolution?.facts.domain, "example.nl")
    }

    func testACopyChangedLeavesTheOriginalAlone() {
        let original = TaskReport(taskID: 9, attempt: 1, outcome: .completed, connect: ConnectObservation(web: web))
        var changed = original
        changed.connect?.reach = ReachObservation(ports: [])
        changed.resolution = resolution("example.nl")
        XCTAssertNil(original.connect?.reach)
        XCTAssertNil(original.resolution)
        XCTAssertNotNil(changed.connect?.reach)
        XCTAssertEqual(changed.connect?.web, web)
        XCTAssertNotEqual(changed, original)
        changed.resolution = nil
        changed.connect = nil
        XCTAssertEqual(changed, TaskReport(taskID: 9, attempt: 1, outcome: .completed))
    }
}
