import Foundation
import PeilModel
import PeilTestSupport
import Store
import XCTest

/// A connect task's key is written once, in `task_keys` (migration 21), not in a unique index
/// of `tasks` that every state change of the task would write again: one task per endpoint of
/// a measurement, whoever plans it and however many at once.
final class TaskKeysTests: StoreTestCase {
    /// A measurement of `domains`, each resolved onto the one web address `address`.
    private func resolve(_ domains: [String], set: String, address: String, stores: [PeilStore]? = nil) throws -> Int64 {
        _ = try store.importSet(name: set, entries: try SeedList.parse(domains.joined(separator: "\n")))
        let id = try store.createMeasurement(sets: [set])
        // Resolve tasks go to IPv4 vantages, as the earlier measurements' connect tasks do: those are leased and left.
        let tasks = try store.claimTasks(agentID: "r", families: [.ipv4], limit: 100, leaseSeconds: 300).filter { $0.kind == .resolve }
        XCTAssertEqual(tasks.count, domains.count)
        let reports = tasks.map { task -> (TaskReport, [PlannedConnect]) in
            var observation = observation(for: task.domain)
            observation.facts.web = HostAddresses(host: "www.shared.nl", ipv4: [address], ipv6: [])
            return (TaskReport(taskID: task.taskID, attempt: 1, outcome: .completed, resolution: observation), ConnectPlanner.plan(observation.facts))
        }
        guard let stores else {
            for (report, plan) in reports { XCTAssertEqual(try store.recordReport(report, agentID: "r", maxAttempts: 3, plan: plan), .stored) }
            return id
        }
        // Each report through its own connection, all at once.
        let outcomes = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: reports.count) { index in
            let outcome = Result { try stores[index].recordReport(reports[index].0, agentID: "r", maxAttempts: 3, plan: reports[index].1) }
            outcomes.withLock { $0.append((try? outcome.get()).map { "\($0)" } ?? "error: \(outcome)") }
        }
        XCTAssertEqual(outcomes.withLock { $0 }, Array(repeating: "\(ReportDisposition.stored)", count: reports.count))
        return id
    }

    private func tasks(of measurement: Int64, kind: TaskKind) throws -> Int {
        try count("SELECT count(*)::integer AS count FROM tasks WHERE measurement_id = \(measurement) AND kind = \(kind.rawValue)")
    }

    func testTwoStoresPlanningOneEndpointAtOnceMakeOneTaskLinkedToBoth() throws {
        let connection = try XCTUnwrap(temporaryDatabase?.connectionString)
        let stores = try (0..<2).map { _ in PeilStore(database: try Database(connectionString: connection)) }
        for round in 0..<10 {
            let id = try resolve(["a\(round).nl", "b\(round).nl"], set: "s\(round)", address: "198.18.30.\(round + 1)", stores: stores)
            XCTAssertEqual(try tasks(of: id, kind: .reach), 1, "round \(round): one reach task for the one address")
            XCTAssertEqual(try tasks(of: id, kind: .web), 1, "round \(round): one web task for the one host and address")
            XCTAssertEqual(try count("""
                SELECT count(DISTINCT l.domain_id)::integer AS count FROM task_links l JOIN tasks t ON t.id = l.task_id
                WHERE l.measurement_id = \(id) AND t.kind = 'reach'
                """), 2, "round \(round): both domains linked to it")
        }
    }

    func testEachMeasurementHasItsOwnKeysAndTheyGoWithIt() throws {
        let first = try resolve(["a.nl"], set: "one", address: "198.18.31.1")
        let second = try resolve(["b.nl"], set: "two", address: "198.18.31.1")
        XCTAssertEqual(try tasks(of: first, kind: .reach), 1)
        XCTAssertEqual(try tasks(of: second, kind: .reach), 1, "the same endpoint is a task of each measurement")
        let keys = "SELECT count(*)::integer AS count FROM task_keys WHERE measurement_id = "
        XCTAssertGreaterThan(try count(SQLQuery(unsafeSQL: keys + String(first))), 0)
        XCTAssertEqual(try store.database.execute("DELETE FROM measurements WHERE id = \(first)"), 1)
        XCTAssertEqual(try count(SQLQuery(unsafeSQL: keys + String(first))), 0, "the keys went with the measurement")
        let kept = try count(SQLQuery(unsafeSQL: keys + String(second)))
        XCTAssertEqual(try store.database.execute("DELETE FROM tasks WHERE measurement_id = \(second) AND kind = 'reach'"), 1)
        XCTAssertEqual(try count(SQLQuery(unsafeSQL: keys + String(second))), kept - 1, "a deleted task's key went with it")
    }

    func testTasksKeepNoUniqueIndexButTheirPrimaryKey() throws {
        XCTAssertEqual(try count("""
            SELECT count(*)::integer AS count FROM pg_index WHERE indrelid = 'tasks'::regclass AND indisunique AND NOT indisprimary
            """), 0, "every lease and completion would write a unique entry again")
    }
}
