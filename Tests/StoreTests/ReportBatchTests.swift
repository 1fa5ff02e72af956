import Foundation
import PeilModel
import Store
import XCTest

/// `recordReports`: a batch of reports is written in one transaction with the outcome, report by
/// report, of `recordReport` called for each in order.
final class ReportBatchTests: StoreTestCase {
    /// What the tables hold for the scenario's tasks, by the task's position in claim order.
    private struct Snapshot: Equatable {
        var tasks: [String]
        var observations: [String]
        var results: [String]
    }

    /// Claims six resolve tasks to agent-1 and records a batch that has one of every kind of
    /// report through `record`; returns the dispositions and the tables afterwards.
    private func scenario(_ set: String, record: ([ReportToRecord]) throws -> [ReportDisposition]) throws
        -> (dispositions: [ReportDisposition], snapshot: Snapshot, measurement: Int64, first: ReportToRecord) {
        let domains = (1...6).map { "\(set)\($0).nl" }
        _ = try store.importSet(name: set, entries: try SeedList.parse(domains.joined(separator: "\n")))
        let measurement = try store.createMeasurement(sets: [set])
        let t = try store.claimTasks(agentID: "agent-1", families: [.ipv4], limit: 6, leaseSeconds: 300)
        XCTAssertEqual(t.count, 6)
        func report(_ task: TaskAssignment, _ outcome: ProbeOutcome, attempt: Int? = nil, resolution: Bool = false,
                    connect: Bool = false, agent: String = "agent-1") -> ReportToRecord {
            ReportToRecord(report: TaskReport(taskID: task.taskID, attempt: attempt ?? task.attempt, outcome: outcome,
                                              detail: outcome == .completed ? nil : "why",
                                              resolution: resolution ? observation(for: task.domain) : nil,
                                              connect: connect ? ConnectObservation(reach: ReachObservation(ports: [])) : nil),
                           agentID: agent)
        }
        var unknown = t[0]
        unknown.taskID += 1_000_000
        let batch = [
            report(t[0], .completed, resolution: true),
            report(t[1], .timeout),
            report(t[0], .completed, resolution: true),         // the same report again: a duplicate
            report(t[2], .completed, resolution: true, agent: "agent-2"),  // not its lease
            report(t[3], .contactLost),
            report(t[4], .completed, connect: true),              // a connect observation on a resolve task
            report(t[5], .completed),                             // completed without observation: a failure
            report(unknown, .completed, resolution: true),
            report(t[2], .completed, attempt: 0, resolution: true),
            report(t[1], .timeout),                               // its task is queued again by now
        ]
        let dispositions = try record(batch)
        let ids = t.map(\.taskID)
        func position(_ id: Int64) -> Int { ids.firstIndex(of: id) ?? -1 }
        let tasks = try store.database.query("""
            SELECT id, state, attempt, leased_by, last_error, contact_lost FROM tasks WHERE measurement_id = \(measurement) ORDER BY id
            """).rows.map { row in
            "\(position(try row.decode("id"))) \(try row.decode("state", as: String.self)) \(try row.decode("attempt", as: Int.self)) "
                + "\(try row.decode("leased_by", as: String?.self) ?? "-") \(try row.decode("last_error", as: String?.self) ?? "-") \(try row.decode("contact_lost", as: Int.self))"
        }
        let observations = try store.database.query("""
            SELECT o.task_id, o.attempt, o.agent_id, o.outcome, o.detail, o.observation IS NULL AS empty
            FROM observations o JOIN tasks t ON t.id = o.task_id WHERE t.measurement_id = \(measurement) ORDER BY o.task_id
            """).rows.map { row in
            "\(position(try row.decode("task_id"))) \(try row.decode("attempt", as: Int.self)) \(try row.decode("agent_id", as: String.self)) "
                + "\(try row.decode("outcome", as: String.self)) \(try row.decode("detail", as: String?.self) ?? "-") \(try row.decode("empty", as: Bool.self))"
        }
        let results = try store.database.query("""
            SELECT task_id, attempt, agent_id, observation::text AS observation FROM results WHERE measurement_id = \(measurement) ORDER BY task_id
            """).rows.map { row in
            "\(position(try row.decode("task_id"))) \(try row.decode("attempt", as: Int.self)) \(try row.decode("agent_id", as: String.self)) \(try row.decode("observation", as: String.self).count)"
        }
        // The next scenario's claim must not find this one's tasks.
        try store.database.execute("""
            UPDATE tasks SET state = 'not_testable', leased_by = NULL, lease_expires_at = NULL, finished_at = now()
            WHERE measurement_id = \(measurement) AND state IN ('queued', 'leased')
            """)
        return (dispositions, Snapshot(tasks: tasks, observations: observations, results: results), measurement, batch[0])
    }

    func testABatchEndsAsTheSameReportsOneByOneAndCommitsTogether() throws {
        let oneByOne = try scenario("solo") { batch in
            try batch.map { try store.recordReport($0.report, agentID: $0.agentID, maxAttempts: 2) }
        }
        let together = try scenario("bulk") { batch in
            try store.recordReports(batch, maxAttempts: 2).map { try $0.get() }
        }
        XCTAssertEqual(together.dispositions, [.stored, .requeued, .duplicate, .refusedNotLeased, .requeued, .refusedWrongKind,
                                               .requeued, .unknownTask, .refusedNotLeased, .duplicate])
        XCTAssertEqual(together.dispositions, oneByOne.dispositions)
        XCTAssertEqual(together.snapshot, oneByOne.snapshot)
        XCTAssertEqual(together.snapshot.observations.count, 3, "two failures and a completed one without observation")
        // A completed report that became the result is stored once, as its `results` row, with no `observations` row.
        XCTAssertFalse(together.snapshot.observations.contains { $0.hasPrefix("0 ") }, "\(together.snapshot.observations)")
        XCTAssertEqual(together.snapshot.results.count, 1)
        XCTAssertTrue(together.snapshot.results.first?.hasPrefix("0 1 agent-1 ") ?? false)

        // One transaction wrote every row of the batch; one by one, each report had its own.
        func transactions(_ measurement: Int64) throws -> Int {
            try count("""
                SELECT count(DISTINCT x)::integer AS count FROM (
                    SELECT o.xmin::text AS x FROM observations o JOIN tasks t ON t.id = o.task_id WHERE t.measurement_id = \(measurement)
                    UNION ALL SELECT xmin::text FROM results WHERE measurement_id = \(measurement)
                ) AS written
                """)
        }
        XCTAssertEqual(try transactions(together.measurement), 1)
        XCTAssertEqual(try transactions(oneByOne.measurement), 4)

        // A later batch repeating a stored report is a duplicate and changes nothing.
        XCTAssertEqual(try store.recordReports([together.first], maxAttempts: 2).map { try $0.get() }, [.duplicate])
        XCTAssertEqual(try transactions(together.measurement), 1)
    }

    /// An observation given as the agent encoded it is stored as those bytes say (a `\u0000` as
    /// the NUL marker, as when encoded here), for completed and failed reports alike.
    func testAnObservationAsSentIsStoredAsSent() throws {
        let domains = ["sent1.nl", "sent2.nl"]
        _ = try store.importSet(name: "sent", entries: try SeedList.parse(domains.joined(separator: "\n")))
        let measurement = try store.createMeasurement(sets: ["sent"])
        let tasks = try store.claimTasks(agentID: "agent-1", families: [.ipv4], limit: 2, leaseSeconds: 300)
        XCTAssertEqual(tasks.count, 2)
        let completed = try JSONDecoder().decode(ResolutionObservation.self, from: Data(try SQLJSON(observation(for: tasks[0].domain)).text.utf8))
        var sent = try SQLJSON(completed).text
        // Bytes an encoder here would not write: spaces, another key order, an escape of NUL.
        sent = "  " + sent.replacingOccurrences(of: #""domain":"\#(tasks[0].domain)""#, with: #""domain" : "\#(tasks[0].domain)\u0000""#) + "\n"
        let second = observation(for: tasks[1].domain)
        let failed = #"{ "note" : "extra","# + String(try SQLJSON(second).text.dropFirst())
        let dispositions = try store.recordReports([
            ReportToRecord(report: TaskReport(taskID: tasks[0].taskID, attempt: tasks[0].attempt, outcome: .completed, resolution: completed),
                           agentID: "agent-1", observationJSON: sent),
            ReportToRecord(report: TaskReport(taskID: tasks[1].taskID, attempt: tasks[1].attempt, outcome: .timeout, detail: "slow",
                                              resolution: second),
                           agentID: "agent-1", observationJSON: failed),
        ], maxAttempts: 2).map { try $0.get() }
        XCTAssertEqual(dispositions, [.stored, .requeued])
        let marked = tasks[0].domain + "\u{2400}"
        XCTAssertEqual(try count("SELECT count(*)::integer AS count FROM results WHERE measurement_id = \(measurement) AND observation->'facts'->>'domain' = \(marked)"), 1)
        // Stored as `json` (migration 15): the document's text, its spaces and key order kept
        // (the white space around it is not part of it), the escape marked.
        let stored: String = try store.database.query("SELECT observation::text AS text FROM results WHERE measurement_id = \(measurement)").single().decode("text")
        XCTAssertEqual(stored, sent.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: #"\u0000"#, with: #"\u2400"#))
        XCTAssertEqual(try count("SELECT count(*)::integer AS count FROM observations WHERE task_id = \(tasks[1].taskID) AND observation->>'note' = 'extra'"), 1)
    }

    /// A batch that finds a result already there for one of its tasks is rolled back whole and
    /// recorded report by report: the others are stored once, as if each came alone, and that
    /// one is kept as a stale report beside the result that was there.
    func testABatchMeetingAResultAlreadyThereIsRecordedReportByReport() throws {
        let domains = ["there1.nl", "there2.nl", "there3.nl"]
        _ = try store.importSet(name: "there", entries: try SeedList.parse(domains.joined(separator: "\n")))
        let measurement = try store.createMeasurement(sets: ["there"])
        let tasks = try store.claimTasks(agentID: "agent-1", families: [.ipv4], limit: 3, leaseSeconds: 300)
        XCTAssertEqual(tasks.count, 3)
        try store.database.execute("""
            INSERT INTO results (task_id, measurement_id, kind, domain, attempt, agent_id, observation)
            SELECT id, measurement_id, kind, domain, 1, 'earlier', '{"earlier": true}' FROM tasks WHERE id = \(tasks[1].taskID)
            """)
        let dispositions = try store.recordReports(tasks.map { task in
            ReportToRecord(report: TaskReport(taskID: task.taskID, attempt: task.attempt, outcome: .completed,
                                              resolution: observation(for: task.domain)), agentID: "agent-1")
        }, maxAttempts: 2).map { try $0.get() }
        XCTAssertEqual(dispositions, [.stored, .stale, .stored])
        XCTAssertEqual(try count("SELECT count(*)::integer AS count FROM results WHERE measurement_id = \(measurement)"), 3)
        XCTAssertEqual(try count("SELECT count(*)::integer AS count FROM results WHERE agent_id = 'earlier' AND task_id = \(tasks[1].taskID)"), 1)
        XCTAssertEqual(try count("SELECT count(*)::integer AS count FROM tasks WHERE measurement_id = \(measurement) AND state = 'done'"), 2)
        XCTAssertEqual(try count("SELECT count(*)::integer AS count FROM observations WHERE task_id = \(tasks[1].taskID)"), 1)
    }
}
