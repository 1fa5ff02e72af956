import Foundation
import PeilModel
import PeilTestSupport
import Store
import XCTest

/// Every store test gets a fresh migrated database (``DatabaseTestCase``; skipped without
/// PostgreSQL) and the helpers below.
class StoreTestCase: DatabaseTestCase {
    static let seedData = TestPaths.seedData

    // MARK: helpers

    func seedEntries(_ paths: String...) throws -> [SetEntry] {
        try SeedList.parse(paths.map { path in
            SeedFile(name: path, text: try String(contentsOf: Self.seedData.appendingPathComponent(path), encoding: .utf8))
        })
    }

    func plainEntries(_ names: String...) throws -> [SetEntry] {
        try SeedList.parse(names.joined(separator: "\n"), fileName: "list")
    }

    /// A single-value count from the test database.
    func count(_ query: SQLQuery) throws -> Int {
        try store.database.query(query).single().decode("count")
    }

    func observation(for domain: String, note: String = "") -> ResolutionObservation {
        let facts = DNSFacts(
            domain: domain, dnssec: .secure, nsZone: domain,
            nameservers: [HostAddresses(host: "ns1." + domain, ipv4: ["198.18.0.53"], ipv6: ["2001:2::53"])],
            domainAddresses: HostAddresses(host: domain, ipv4: ["198.18.0.10"]),
            web: HostAddresses(host: "www." + domain, ipv4: ["198.18.0.80"]), webDNSSEC: .secure,
            mx: [MailExchanger(preference: 10, host: "mx." + domain, dnssec: .insecure, ipv4: ["198.18.0.25"])],
            nullMX: false, txt: ["v=spf1 -all", note], spf: ["v=spf1 -all"], dmarc: ["v=DMARC1; p=reject"],
            domainKey: .exists, caaFoundAt: nil, caa: [], webTLSA: [])
        let query = DNSQueryRecord(name: domain, type: "SOA", rcode: "NOERROR", dnssec: .secure, records: ["x"])
        return ResolutionObservation(facts: facts, queries: [query])
    }

    func completed(_ task: TaskAssignment, note: String = "") -> TaskReport {
        TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .completed,
                   resolution: observation(for: task.domain, note: note))
    }

    /// A completed reach report for a connect task: port 80 open.
    static func reached(_ task: TaskAssignment) -> TaskReport {
        TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .completed,
                   connect: ConnectObservation(reach: ReachObservation(ports: [PortProbe(port: 80, state: .open)])))
    }

    func failed(_ task: TaskAssignment) -> TaskReport {
        TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .timeout, detail: "resolver timed out")
    }
}
