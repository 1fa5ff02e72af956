import Foundation
import PeilModel
import PeilTestSupport
import Store
import Verdicts
import XCTest

/// Rescans in PostgreSQL: what `PeilStore.createRescan` refuses, that it queues only the
/// domains it measures again, and that the verdict path takes every other domain from the
/// measurement it rescans, down a chain of rescans.
final class RescanTests: DatabaseTestCase {
    /// Leases every queued task and reports each resolved, its facts' TXT carrying `note`.
    private func complete(_ id: Int64, note: String) throws {
        let tasks = try store.claimTasks(agentID: "agent", families: [.ipv4, .ipv6], limit: 100, leaseSeconds: 300)
        XCTAssertTrue(tasks.allSatisfy { $0.measurementID == id })
        for task in tasks {
            let facts = DNSFacts(domain: task.domain, dnssec: .insecure, nsZone: task.domain, nameservers: [],
                                 domainAddresses: HostAddresses(host: task.domain), web: HostAddresses(host: task.webHost), webDNSSEC: .insecure,
                                 mx: [], nullMX: false, txt: [note], spf: [], dmarc: [], domainKey: .exists, caaFoundAt: nil, caa: [], webTLSA: [])
            let report = TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .completed,
                                    resolution: ResolutionObservation(facts: facts, queries: []))
            XCTAssertEqual(try store.recordReport(report, agentID: "agent", maxAttempts: 3), .stored)
        }
        XCTAssertTrue(try store.measurementComplete(id))
    }

    private func notes(_ id: Int64) throws -> [String: String] {
        let observations = try MeasurementObservations.load(store: store, measurementID: id)
        XCTAssertEqual(observations.domains.map(\.name), ["a.nl", "b.nl", "c.nl"], "a rescan covers the whole set")
        XCTAssertEqual(observations.measurementID, id)
        return observations.resolutions.mapValues { $0.facts.txt.first ?? "" }
    }

    private func refusal(_ body: () throws -> Int64) -> String {
        do {
            _ = try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func testARescanMeasuresItsDomainsAgainAndTakesTheRestFromTheChain() throws {
        _ = try store.importSet(name: "lab", entries: try SeedList.parse("a.nl\nb.nl\nc.nl\n"))
        _ = try store.importSet(name: "other", entries: try SeedList.parse("z.nl\n"))
        let first = try store.createMeasurement(sets: ["lab"])
        XCTAssertTrue(refusal { try self.store.createRescan(of: first, domains: ["b.nl"]) }
            .contains("measurement \(first) is still running (3 tasks queued or leased)"))
        try complete(first, note: "first")
        XCTAssertNil(try store.rescanOrigin(measurementID: first))

        XCTAssertEqual(refusal { try self.store.createRescan(of: 999, domains: ["b.nl"]) }, "there is no measurement 999")
        XCTAssertEqual(refusal { try self.store.createRescan(of: first, domains: [" "]) }, "rescan: no domain to measure again")
        XCTAssertEqual(refusal { try self.store.createRescan(of: first, domains: ["b.nl", "z.nl"]) },
                       "rescan: not in the sets of measurement \(first) (lab): z.nl")
        XCTAssertEqual(try store.measurementIDs(), [first], "a refused rescan leaves nothing behind")

        let second = try store.createRescan(of: first, domains: ["B.nl", "b.nl"])
        XCTAssertEqual(try store.rescanOrigin(measurementID: second), RescanOrigin(rescanOf: first, rescanned: ["b.nl"]))
        XCTAssertEqual(try store.measuredDomains(measurementID: second).map(\.domain), ["b.nl"], "only b.nl is queued")
        XCTAssertEqual(try store.measurementInfo(String(second)).sets, ["lab"])
        let pending = try MeasurementObservations.load(store: store, measurementID: second)
        XCTAssertEqual(pending.domains.map { "\($0.name) \($0.state)" }, ["a.nl done", "b.nl queued", "c.nl done"])
        XCTAssertNil(pending.resolutions["b.nl"], "the old observation of a domain measured again is not used")
        try complete(second, note: "second")
        XCTAssertEqual(try notes(second), ["a.nl": "first", "b.nl": "second", "c.nl": "first"])

        let third = try store.createRescan(of: second, domains: ["c.nl"])
        try complete(third, note: "third")
        XCTAssertEqual(try notes(third), ["a.nl": "first", "b.nl": "second", "c.nl": "third"], "the chain is followed")
        XCTAssertEqual(try notes(first), ["a.nl": "first", "b.nl": "first", "c.nl": "first"], "the old measurement is untouched")
    }

    func testAnImportedMeasurementCannotBeRescanned() throws {
        let entries = try SeedList.parse("a.nl\n")
        let row = PublishedRow(domain: "a.nl", host: "a.nl", test: .mail, layer: .rijk, formalReaction: false, statuses: ["dmarc": .passed])
        let imported = try store.importResults(name: "march-2021", date: "2021-03-31", ruleSet: "internetnl-2021", set: "primary",
                                               entries: entries, rows: [row])
        XCTAssertTrue(refusal { try self.store.createRescan(of: imported.measurementID, domains: ["a.nl"]) }.contains("is imported"))
    }
}
