import Foundation
import PeilModel
import Store
import XCTest

/// Migration 13: a completed report that became the result is kept once, as its `results` row;
/// `reports` shows every accepted report.
final class ReportsViewTests: StoreTestCase {
    func testACompletedResultHasNoObservationsRowAndIsOneReport() throws {
        _ = try store.importSet(name: "view", entries: try plainEntries("view1.nl", "view2.nl"))
        _ = try store.createMeasurement(sets: ["view"])
        let tasks = try store.claimTasks(agentID: "agent-1", families: [.ipv4], limit: 2, leaseSeconds: 300)
        XCTAssertEqual(tasks.count, 2)
        XCTAssertEqual(try store.recordReport(TaskReport(taskID: tasks[0].taskID, attempt: tasks[0].attempt, outcome: .completed,
                                                         resolution: observation(for: tasks[0].domain)), agentID: "agent-1", maxAttempts: 2), .stored)
        XCTAssertEqual(try store.recordReport(TaskReport(taskID: tasks[1].taskID, attempt: tasks[1].attempt, outcome: .timeout, detail: "slow"),
                                              agentID: "agent-1", maxAttempts: 2), .requeued)
        XCTAssertEqual(try count("SELECT count(*)::integer AS count FROM observations WHERE task_id = \(tasks[0].taskID)"), 0)
        XCTAssertEqual(try count("SELECT count(*)::integer AS count FROM reports WHERE task_id = \(tasks[0].taskID) AND outcome = 'completed' AND observation IS NOT NULL"), 1)
        XCTAssertEqual(try count("SELECT count(*)::integer AS count FROM reports WHERE task_id = \(tasks[1].taskID) AND outcome = 'timeout'"), 1)
        // The same completed report again is a duplicate, found through its result.
        XCTAssertEqual(try store.recordReport(TaskReport(taskID: tasks[0].taskID, attempt: tasks[0].attempt, outcome: .completed,
                                                         resolution: observation(for: tasks[0].domain)), agentID: "agent-1", maxAttempts: 2), .duplicate)
        XCTAssertEqual(try count("SELECT count(*)::integer AS count FROM reports"), 2)
    }

    /// The migration removes the rows that only repeated a result (a completed outcome, no
    /// observation, the result's task, attempt and agent) and keeps every other.
    func testTheMigrationRemovesOnlyObservationsRowsThatRepeatAResult() throws {
        _ = try store.importSet(name: "old", entries: try plainEntries("old1.nl", "old2.nl", "old3.nl"))
        let measurement = try store.createMeasurement(sets: ["old"])
        let tasks = try store.claimTasks(agentID: "agent-1", families: [.ipv4], limit: 3, leaseSeconds: 300)
        XCTAssertEqual(tasks.count, 3)
        let (a, b, c) = (tasks[0].taskID, tasks[1].taskID, tasks[2].taskID)
        // As written before migration 13: a result and its repeating row (a); a result whose
        // row was another agent's (b); a stale completed report kept with its observation and
        // a failure (c, attempts 1 and 2, no result).
        try store.database.execute("""
            INSERT INTO results (task_id, measurement_id, kind, domain, attempt, agent_id, observation)
            VALUES (\(a), \(measurement), 'resolve', 'old1.nl', 1, 'agent-1', '{}'), (\(b), \(measurement), 'resolve', 'old2.nl', 1, 'agent-1', '{}')
            """)
        try store.database.execute("""
            INSERT INTO observations (task_id, attempt, agent_id, outcome, detail, observation) VALUES
                (\(a), 1, 'agent-1', 'completed', NULL, NULL),
                (\(b), 1, 'agent-2', 'completed', NULL, NULL),
                (\(c), 1, 'agent-1', 'completed', NULL, '{"kept": true}'),
                (\(c), 2, 'agent-1', 'timeout', 'slow', NULL)
            """)
        let migration = try XCTUnwrap(try Migrations.bundled().first { $0.version == 13 })
        try store.database.transaction { try $0.executeScript(unsafeSQL: "DROP VIEW reports;\n" + migration.sql) }
        let left = try store.database.query("SELECT task_id, attempt, agent_id FROM observations ORDER BY task_id, attempt").rows.map {
            "\(try $0.decode("task_id", as: Int64.self)) \(try $0.decode("attempt", as: Int.self)) \(try $0.decode("agent_id", as: String.self))"
        }
        XCTAssertEqual(left, ["\(b) 1 agent-2", "\(c) 1 agent-1", "\(c) 2 agent-1"])
        XCTAssertEqual(try count("SELECT count(*)::integer AS count FROM reports"), 5)
    }
}
