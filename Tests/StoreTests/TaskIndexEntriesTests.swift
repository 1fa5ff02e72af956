import Foundation
import PeilModel
import Store
import XCTest

/// A task's lease and its completion are row versions that cannot be heap-only (`state` is in
/// the queue's index predicates), so each takes an entry in every index of `tasks` whose
/// predicate the new version meets. Migration 25 keeps those down to what the queue needs: a
/// completion takes one in the primary key alone, a lease in the leased-address index besides.
final class TaskIndexEntriesTests: StoreTestCase {
    /// The indexes of `tasks` that a row version in `state` takes an entry in, over every
    /// kind, family and address a task can have.
    private func indexesEntered(by state: String, on connection: DatabaseConnection) throws -> [String] {
        try connection.execute("DELETE FROM probe")
        try connection.execute("""
            INSERT INTO probe (id, measurement_id, kind, domain, web_host, family, address, state, attempt)
            SELECT 1, 1, k, 'a.nl', 'a.nl', f, a, \(state), 1
            FROM unnest(\(array: TaskKind.allCases.map(\.rawValue))::text[]) AS k,
                 unnest(ARRAY[NULL, 'ipv4', 'ipv6']::text[]) AS f, unnest(ARRAY[NULL, '198.18.0.1']::text[]) AS a
            """)
        var entered: [String] = []
        for row in try connection.query("""
            SELECT c.relname AS name, pg_get_expr(i.indpred, i.indrelid) AS predicate
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'tasks'::regclass ORDER BY 1
            """).rows {
            let name: String = try row.decode("name")
            guard let predicate = try row.decode("predicate", as: String?.self) else {
                entered.append(name)
                continue
            }
            let met: Bool = try connection.query(SQLQuery(unsafeSQL: "SELECT EXISTS (SELECT 1 FROM probe AS tasks WHERE \(predicate)) AS met"))
                .single().decode("met")
            if met { entered.append(name) }
        }
        return entered
    }

    func testACompletionEntersThePrimaryKeyAloneAndALeaseTheLeasedAddressIndexBesides() throws {
        let (done, leased, queued) = try store.database.transaction { connection in
            try connection.execute("CREATE TEMPORARY TABLE probe ON COMMIT DROP AS SELECT * FROM tasks WITH NO DATA")
            return (try indexesEntered(by: "done", on: connection), try indexesEntered(by: "leased", on: connection),
                    try indexesEntered(by: "queued", on: connection))
        }
        XCTAssertEqual(done, ["tasks_pkey"])
        XCTAssertEqual(leased, ["tasks_leased_address", "tasks_pkey"])
        // The queue's own indexes, which a task enters when queued (or requeued), not in the ingest.
        XCTAssertEqual(queued, ["tasks_pkey", "tasks_queued_family", "tasks_queued_or_not_testable", "tasks_queued_unfamilied"])
    }

    /// A measurement's tasks are found in every state by `peil_measurement_task_ids`, each once,
    /// and the progress counts them as they stand.
    func testAMeasurementsTasksAreFoundInEveryStateEachOnce() throws {
        _ = try store.importSet(name: "states", entries: try plainEntries("s1.nl", "s2.nl", "s3.nl", "s4.nl"))
        let measurement = try store.createMeasurement(sets: ["states"])
        let other = try store.createMeasurement(sets: ["states"])
        let tasks = try store.claimTasks(agentID: "agent-1", families: [.ipv4], limit: 3, leaseSeconds: 300)
            .filter { $0.measurementID == measurement }
        XCTAssertEqual(tasks.count, 3)
        XCTAssertEqual(try store.recordReport(completed(tasks[0]), agentID: "agent-1", maxAttempts: 3), .stored)
        XCTAssertTrue(try store.endLeasedTask(taskID: tasks[1].taskID, attempt: tasks[1].attempt, agentID: "agent-1", why: "refused"))

        let found: [Int64] = try store.database.query("""
            SELECT id FROM peil_measurement_task_ids(\(measurement), ARRAY['resolve']::text[]) AS m(id) ORDER BY id
            """).rows.map { try $0.decode("id") }
        let all: [Int64] = try store.database.query("SELECT id FROM tasks WHERE measurement_id = \(measurement) ORDER BY id")
            .rows.map { try $0.decode("id") }
        XCTAssertEqual(found, all)
        XCTAssertEqual(found.count, 4)

        let progress = try store.progress(measurementID: measurement)
        XCTAssertEqual([progress.total, progress.queued, progress.leased, progress.done, progress.notTestable], [4, 1, 1, 1, 1])
        XCTAssertEqual(try store.progress(measurementID: other).total, 4)
        let states: [String] = try store.database.query("SELECT state FROM tasks WHERE measurement_id = \(measurement) ORDER BY domain")
            .rows.map { try $0.decode("state") }
        XCTAssertEqual(try store.measuredDomains(measurementID: measurement).map(\.state), states)
        XCTAssertEqual(Set(states), ["queued", "leased", "done", "not_testable"])
    }
}
