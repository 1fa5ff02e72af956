import Foundation
import PeilModel
import Store
import XCTest

/// Connect tasks: planned from a stored resolution in the same transaction, shared between
/// domains with the same endpoint, routed by family, capped per address, linked to domains.
final class ConnectTaskTests: StoreTestCase {
    /// Facts of a domain on a shared web address and a shared dual-stack nameserver.
    private func facts(_ domain: String, web: [String]) -> ResolutionObservation {
        var observation = observation(for: domain)
        observation.facts.web = HostAddresses(host: "www." + domain, ipv4: web.filter { !$0.contains(":") }, ipv6: web.filter { $0.contains(":") })
        observation.facts.nameservers = [HostAddresses(host: "ns1.host.nl", ipv4: ["198.18.0.53"], ipv6: ["2001:2::53"]),
                                         HostAddresses(host: "ns2.host.nl", ipv4: ["198.18.0.54"], ipv6: ["::ffff:198.18.0.54"])]
        return observation
    }

    func testResolvedDomainsPlanSharedConnectTasks() throws {
        _ = try store.importSet(name: "s", entries: try plainEntries("a.nl", "b.nl"))
        let id = try store.createMeasurement(sets: ["s"])
        let resolves = try store.claimTasks(agentID: "r", families: [.ipv4], limit: 2, leaseSeconds: 300)
        XCTAssertEqual(resolves.map(\.domain), ["a.nl", "b.nl"])
        for task in resolves {
            let observation = facts(task.domain, web: ["198.18.16.1", "2001:2:0:80::1"])
            let report = TaskReport(taskID: task.taskID, attempt: 1, outcome: .completed, resolution: observation)
            XCTAssertEqual(try store.recordReport(report, agentID: "r", maxAttempts: 3, plan: ConnectPlanner.plan(observation.facts)), .stored)
        }
        // Per domain: reach ×2 (shared by address), web ×2 (per host), nameserver ×1 (shared; the
        // mapped AAAA is not IPv6), mail ×1 (mx.a.nl and mx.b.nl share one address: one task).
        let kinds = try store.database.query("SELECT kind, count(*) AS count FROM tasks WHERE measurement_id = \(id) GROUP BY kind ORDER BY kind").rows
            .map { "\(try $0.decode("kind", as: String.self))=\(try $0.decode("count", as: Int.self))" }
        XCTAssertEqual(kinds, ["mail=1", "nameserver=1", "reach=2", "resolve=2", "web=4"])
        XCTAssertEqual(try count("SELECT count(*) AS count FROM task_links WHERE measurement_id = \(id)"), 2 * 6)
        XCTAssertFalse(try store.measurementComplete(id), "connect tasks are queued")

        // An IPv4-only vantage gets only the IPv4 connect tasks.
        let v4 = try store.claimTasks(agentID: "v4", families: [.ipv4], limit: 50, leaseSeconds: 300)
        XCTAssertEqual(Set(v4.map(\.kind)), [.reach, .web, .mail])
        XCTAssertTrue(v4.allSatisfy { $0.target?.family == .ipv4 && $0.family == .ipv4 })
        let v6 = try store.claimTasks(agentID: "v6", families: [.ipv6], limit: 50, leaseSeconds: 300)
        XCTAssertEqual(v6.count, 4)
        XCTAssertTrue(v6.allSatisfy { $0.target?.family == .ipv6 })
        for (agent, task) in v4.map({ ("v4", $0) }) + v6.map({ ("v6", $0) }) {
            let report = TaskReport(taskID: task.taskID, attempt: 1, outcome: .completed, connect: Self.observation(of: task.kind))
            XCTAssertEqual(try store.recordReport(report, agentID: agent, maxAttempts: 3), .stored)
        }
        XCTAssertTrue(try store.measurementComplete(id))
        let linked = try store.connectResults(measurementID: id)
        XCTAssertEqual(linked["a.nl"]?.count, 6)
        XCTAssertEqual(linked["b.nl"]?.filter { $0.kind == .web }.map(\.target.host), ["www.b.nl", "www.b.nl"])
        XCTAssertTrue(linked.values.joined().allSatisfy { $0.state == "done" && $0.observation == Self.observation(of: $0.kind) })
    }

    /// The resolutions of one batch plan the same connect tasks and links as the same reports
    /// stored one by one: an endpoint two domains of the batch share is made once, linked to both.
    func testABatchPlansTheSameConnectTasksAsOneByOne() throws {
        func planned(_ set: String, record: ([ReportToRecord]) throws -> [ReportDisposition]) throws -> (tasks: [String], links: [String]) {
            let domains = ["a", "b", "c"].map { "\($0)\(set).nl" }
            _ = try store.importSet(name: set, entries: try SeedList.parse(domains.joined(separator: "\n")))
            let id = try store.createMeasurement(sets: [set])
            let resolves = try store.claimTasks(agentID: "r", families: [.ipv4], limit: 3, leaseSeconds: 300)
            XCTAssertEqual(resolves.count, 3)
            let reports = resolves.enumerated().map { index, task in
                // a and b share their web address; c has its own.
                let observation = facts(task.domain, web: index < 2 ? ["198.18.16.1", "2001:2:0:80::1"] : ["198.18.16.2"])
                return ReportToRecord(report: TaskReport(taskID: task.taskID, attempt: 1, outcome: .completed, resolution: observation),
                                      agentID: "r", plan: ConnectPlanner.plan(observation.facts))
            }
            XCTAssertEqual(try record(reports), [.stored, .stored, .stored])
            let tasks = try store.database.query("""
                SELECT kind, domain, endpoint_key FROM tasks WHERE measurement_id = \(id) AND kind <> 'resolve' ORDER BY id
                """).rows.map { "\(try $0.decode("kind", as: String.self)) \(try $0.decode("endpoint_key", as: String.self))" }
            let links = try store.database.query("""
                SELECT d.domain, c.endpoint_key FROM task_links l JOIN tasks c ON c.id = l.task_id
                JOIN tasks d ON d.domain_id = l.domain_id AND d.measurement_id = l.measurement_id AND d.kind = 'resolve'
                WHERE l.measurement_id = \(id) ORDER BY 1, 2
                """).rows.map { "\(try $0.decode("domain", as: String.self).prefix(1)) \(try $0.decode("endpoint_key", as: String.self))" }
            // The next scenario's claim must not find this one's tasks.
            try store.database.execute("UPDATE tasks SET state = 'not_testable' WHERE measurement_id = \(id) AND state = 'queued'")
            return (tasks.map { $0.replacingOccurrences(of: set, with: "") }, links.map { $0.replacingOccurrences(of: set, with: "") })
        }
        let oneByOne = try planned("x") { reports in
            try reports.map { try store.recordReport($0.report, agentID: $0.agentID, maxAttempts: 3, plan: $0.plan) }
        }
        let together = try planned("y") { reports in try store.recordReports(reports, maxAttempts: 3).map { try $0.get() } }
        XCTAssertEqual(together.tasks, oneByOne.tasks)
        XCTAssertEqual(together.links, oneByOne.links)
        XCTAssertEqual(together.links.count, 6 + 6 + 4, "c's web address is IPv4 only: one reach and one web task fewer")
        XCTAssertEqual(Set(together.tasks).count, together.tasks.count, "each endpoint made once")
    }

    func testAtMostSoManyLeasedTasksPerAddress() throws {
        let domains = (1...6).map { "d\($0).nl" }
        _ = try store.importSet(name: "s", entries: try SeedList.parse(domains.joined(separator: "\n")))
        _ = try store.createMeasurement(sets: ["s"])
        for task in try store.claimTasks(agentID: "r", families: [.ipv4], limit: 10, leaseSeconds: 300) {
            var observation = facts(task.domain, web: ["198.18.16.7"])
            observation.facts.nameservers = []
            observation.facts.mx = []
            let report = TaskReport(taskID: task.taskID, attempt: 1, outcome: .completed, resolution: observation)
            _ = try store.recordReport(report, agentID: "r", maxAttempts: 3, plan: ConnectPlanner.plan(observation.facts))
        }
        // Six web tasks (one per host) and one reach task, all on 198.18.16.7.
        let first = try store.claimTasks(agentID: "a", families: [.ipv4], limit: 10, leaseSeconds: 300, perAddress: 2)
        XCTAssertEqual(first.count, 2)
        XCTAssertEqual(try store.claimTasks(agentID: "b", families: [.ipv4], limit: 10, leaseSeconds: 300, perAddress: 2), [],
                       "the address already has two leased tasks")
        let report = TaskReport(taskID: first[0].taskID, attempt: 1, outcome: .completed, connect: Self.observation(of: first[0].kind))
        XCTAssertEqual(try store.recordReport(report, agentID: "a", maxAttempts: 3), .stored)
        XCTAssertEqual(try store.claimTasks(agentID: "b", families: [.ipv4], limit: 10, leaseSeconds: 300, perAddress: 2).count, 1)
    }

    /// A completed observation of a connect task of `kind`.
    static func observation(of kind: TaskKind) -> ConnectObservation {
        let unreachable = TLSScanResult(outcome: .unreachable)
        switch kind {
        case .reach: return ConnectObservation(reach: ReachObservation(ports: [PortProbe(port: 80, state: .open)]))
        case .nameserver: return ConnectObservation(nameserver: NameserverObservation(answered: true, transport: "udp", rcode: "NOERROR"))
        case .web: return ConnectObservation(web: WebObservation(tls: unreachable, https: nil, http: nil, port80: .refused))
        case .mail, .resolve: return ConnectObservation(mail: MailServerObservation(tls: unreachable))
        }
    }
}
