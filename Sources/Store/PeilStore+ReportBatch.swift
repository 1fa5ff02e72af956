import Foundation
import PeilModel

/// One report of a batch for ``PeilStore/recordReports(_:maxAttempts:)``.
public struct ReportToRecord: Sendable {
    public var report: TaskReport
    public var agentID: String
    /// The agent session that sends it (nil: the agent's name is its session).
    public var session: String?
    /// The connect tasks a completed resolve report queues (see ``PeilStore/recordReport(_:agentID:session:maxAttempts:plan:)``).
    public var plan: [PlannedConnect]
    /// The report's observation (its `resolution` or `connect`) as the agent encoded it, stored
    /// instead of encoding the decoded one again; nil: encoded from `report`. Must be the JSON the
    /// observation was decoded from (`WireMessage.ReportLayout.observation` gives it only where that holds).
    public var observationJSON: String?

    public init(report: TaskReport, agentID: String, session: String? = nil, plan: [PlannedConnect] = [], observationJSON: String? = nil) {
        self.report = report
        self.agentID = agentID
        self.session = session
        self.plan = plan
        self.observationJSON = observationJSON
    }
}

extension PeilStore {
    /// SQLSTATE `deadlock_detected`.
    static let deadlockDetected = "40P01"

    /// Records a batch of reports in one transaction, with the same outcome per report as
    /// ``recordReport(_:agentID:session:maxAttempts:plan:)`` called for each in order, and one COMMIT
    /// (one WAL flush) for all, each statement a prepared one of the connection. A batch whose
    /// reports all complete their tasks (or are refused without a write), as nearly all do,
    /// reads its task rows without locking them and marks them done and inserts their results
    /// in one statement, which updates a task only if it is still leased as it was read. Any
    /// other batch locks its task rows in one statement (in id order) and writes the
    /// observations, results and task updates with one multi-row statement each (a completed
    /// report as its `results` row only, as there).
    ///
    /// A batch whose rows PostgreSQL refuses, that meets a deadlock, whose task changed between
    /// its reading and its update, or where a write finds a row it did not expect (an
    /// observation or result already there), is rolled back and recorded report by report
    /// instead; then a report whose values PostgreSQL refuses gets its error in its slot and the
    /// others are recorded. Any other database failure is thrown: nothing of the batch is stored.
    /// - Returns: per report, in order, its disposition or the error that refused its values.
    public func recordReports(_ batch: [ReportToRecord], maxAttempts: Int) throws -> [Result<ReportDisposition, DatabaseError>] {
        guard !batch.isEmpty else { return [] }
        do {
            return try database.transaction({ try ReportBatch(batch, maxAttempts: maxAttempts).record(on: $0, store: self) }).map { .success($0) }
        } catch is ReportBatch.Unexpected {
            // Rolled back: a task changed between its reading and its update, or a row was there already.
        } catch let error as DatabaseError where error.isRefusedValue || error.sqlState == Self.deadlockDetected {
            // Found below, report by report; a deadlock (a bulk release locking the same task
            // rows in another order) is not met there, where one task row is locked at a time.
        }
        return try batch.map { item in
            do {
                return .success(try recordReport(item.report, agentID: item.agentID, session: item.session, maxAttempts: maxAttempts, plan: item.plan))
            } catch let error as DatabaseError where error.isRefusedValue {
                return .failure(error)
            }
        }
    }
}

/// The work of ``PeilStore/recordReports(_:maxAttempts:)`` inside its transaction: the task rows
/// as they stand, each report judged in order against them as the earlier reports of the batch
/// leave them, then the writes.
private struct ReportBatch {
    private struct TaskRow {
        var state: String
        var attempt: Int
        var kind: String
        /// The session holding the lease (`lease_session`).
        var leasedBy: String?
        var contactLost: Int
    }

    /// What a report does to its task, once judged.
    private enum Step {
        case done(ReportDisposition)
        /// Refused, nothing stored, unless the same report was stored before (then a duplicate).
        case duplicateOrRefused
        case endTask(why: String, ReportDisposition)
        case complete(observation: SQLJSON)
        case fail(observation: SQLJSON?, detail: String?, why: String, giveUp: Bool, contactLost: Int)
    }

    let batch: [ReportToRecord]
    let maxAttempts: Int

    init(_ batch: [ReportToRecord], maxAttempts: Int) {
        self.batch = batch
        self.maxAttempts = maxAttempts
    }

    /// Thrown inside the transaction to roll it back: a task changed between its reading and
    /// its update, or a write found a row it did not expect (the caller records report by report).
    struct Unexpected: Error {}

    func record(on connection: DatabaseConnection, store: PeilStore) throws -> [ReportDisposition] {
        let ids = Set(batch.map(\.report.taskID)).sorted()
        if let dispositions = try recordCompletions(ids: ids, on: connection, store: store) { return dispositions }
        var rows = try taskRows(ids, locking: true, on: connection)
        let steps = try batch.map { try judge($0, rows: &rows) }
        let storedHere = storedKeys(steps)
        let seenBefore = try storedBefore(steps: steps, on: connection)
        var dispositions: [ReportDisposition] = []
        var observations: [(index: Int, observation: SQLJSON?, detail: String?)] = []
        for (index, step) in steps.enumerated() {
            let item = batch[index]
            switch step {
            case .done(let disposition): dispositions.append(disposition)
            case .duplicateOrRefused:
                dispositions.append(Self.duplicateOrRefused(item, storedHere: storedHere, seenBefore: seenBefore))
            case .endTask(let why, let disposition):
                try connection.executePrepared("""
                    UPDATE tasks SET state = 'not_testable', leased_by = NULL, lease_expires_at = NULL,
                                     last_error = \(String(why.prefix(1000))), finished_at = now()
                    WHERE id = \(item.report.taskID)
                    """)
                dispositions.append(disposition)
            case .complete:
                // Stored once: as its `results` row (see `recordReport`).
                dispositions.append(.stored)
            case .fail(let observation, let detail, _, let giveUp, _):
                observations.append((index, observation, detail))
                dispositions.append(giveUp ? .notTestable : .requeued)
            }
        }
        guard try insertObservations(observations, on: connection) else { throw Unexpected() }
        let completed = Self.completedIndices(steps)
        guard try insertResults(completed, steps: steps, on: connection) else { throw Unexpected() }
        if !completed.isEmpty {
            try connection.executePrepared("""
                UPDATE tasks SET state = 'done', leased_by = NULL, lease_expires_at = NULL, finished_at = now(), last_error = NULL
                WHERE id = ANY(\(array: completed.map { batch[$0].report.taskID })::bigint[])
                """)
        }
        try updateFailures(steps: steps, on: connection)
        try store.queueConnectTasks(completed.map { (batch[$0].report.taskID, batch[$0].plan) }, on: connection)
        return dispositions
    }

    /// The batch's task rows, locked (`FOR UPDATE`, in id order) or as they stand.
    private func taskRows(_ ids: [Int64], locking: Bool, on connection: DatabaseConnection) throws -> [Int64: TaskRow] {
        let found = try locking
            ? connection.queryPrepared("""
                SELECT id, state, attempt, kind, lease_session, contact_lost FROM tasks
                WHERE id = ANY(\(array: ids)::bigint[]) ORDER BY id FOR UPDATE
                """)
            : connection.queryPrepared("""
                SELECT id, state, attempt, kind, lease_session, contact_lost FROM tasks WHERE id = ANY(\(array: ids)::bigint[])
                """)
        var rows: [Int64: TaskRow] = [:]
        for row in found.rows {
            rows[try row.decode("id")] = TaskRow(state: try row.decode("state"), attempt: try row.decode("attempt"), kind: try row.decode("kind"),
                                                 leasedBy: try row.decode("lease_session", as: String?.self), contactLost: try row.decode("contact_lost"))
        }
        return rows
    }

    /// The batch recorded without locking its task rows first, when every report completes its
    /// task or is refused without a write: one statement marks the completed tasks done and
    /// inserts their results where each is still leased to the session at the attempt judged
    /// (the `UPDATE` takes the row lock and sees the row as it then stands). Nil when a report
    /// needs more (the locked path then judges the batch again); throws ``Unexpected`` when a
    /// task was no longer as read or a result was there already.
    private func recordCompletions(ids: [Int64], on connection: DatabaseConnection, store: PeilStore) throws -> [ReportDisposition]? {
        var rows = try taskRows(ids, locking: false, on: connection)
        var steps: [Step] = []
        for item in batch {
            let step = try judge(item, rows: &rows)
            switch step {
            case .complete, .done, .duplicateOrRefused: steps.append(step)
            case .endTask, .fail: return nil
            }
        }
        let completed = Self.completedIndices(steps)
        let storedHere = storedKeys(steps)
        let seenBefore = try storedBefore(steps: steps, on: connection)
        guard try completeAndInsertResults(completed, steps: steps, on: connection) == completed.count else { throw Unexpected() }
        try store.queueConnectTasks(completed.map { (batch[$0].report.taskID, batch[$0].plan) }, on: connection)
        return steps.indices.map { index in
            switch steps[index] {
            case .done(let disposition): disposition
            case .complete: .stored
            default: Self.duplicateOrRefused(batch[index], storedHere: storedHere, seenBefore: seenBefore)
            }
        }
    }

    /// One statement: the completed reports' tasks marked done where still leased, and a result
    /// inserted for each whose lease is still the one judged (same attempt, same session).
    /// - Returns: the results inserted; fewer than `indices` means a task changed meanwhile or
    ///   had a result already, and the caller rolls back (a task marked done without its result with it).
    private func completeAndInsertResults(_ indices: [Int], steps: [Step], on connection: DatabaseConnection) throws -> Int {
        guard !indices.isEmpty else { return 0 }
        let documents = Self.documents(indices, steps: steps)
        return try connection.executePrepared(SQLQuery(unsafeSQL: """
            WITH done AS (
                -- Leased (the check constraint ties a lease's expiry to the state; so worded, the
                -- plan reads the tasks by id, not the index of the leased ones).
                UPDATE tasks SET state = 'done', leased_by = NULL, lease_expires_at = NULL, finished_at = now(), last_error = NULL
                WHERE id = ANY($1::bigint[]) AND lease_expires_at IS NOT NULL
                RETURNING id, measurement_id, kind, domain, attempt, lease_session
            )
            INSERT INTO results (task_id, measurement_id, kind, domain, attempt, agent_id, observation)
            SELECT d.id, d.measurement_id, d.kind, d.domain, u.attempt, u.agent_id, j.observation
            FROM done d
            JOIN unnest($1::bigint[], $2::integer[], $3::text[], $4::text[]) WITH ORDINALITY AS u(task_id, attempt, agent_id, session, n)
              ON u.task_id = d.id
            JOIN json_array_elements($5::json) WITH ORDINALITY AS j(observation, n) ON j.n = u.n
            WHERE d.attempt = u.attempt AND d.lease_session = u.session
            ON CONFLICT (task_id) DO NOTHING
            """, binds: [SQLArrayLiteral.encode(indices.map { String(batch[$0].report.taskID) }),
                         SQLArrayLiteral.encode(indices.map { String(batch[$0].report.attempt) }),
                         SQLArrayLiteral.encode(indices.map { batch[$0].agentID }),
                         SQLArrayLiteral.encode(indices.map { batch[$0].session ?? batch[$0].agentID }), documents]))
    }

    /// Judges one report against its task as the batch so far left it (as `recordReport` does).
    private func judge(_ item: ReportToRecord, rows: inout [Int64: TaskRow]) throws -> Step {
        let report = item.report
        guard ReportAdmission.attempts.contains(report.attempt) else { return .done(.refusedNotLeased) }
        guard var task = rows[report.taskID] else { return .done(.unknownTask) }
        guard task.state == "leased", task.leasedBy == item.session ?? item.agentID, task.attempt == report.attempt else { return .duplicateOrRefused }
        let observation = try item.observationJSON.map(SQLJSON.init(encoded:))
            ?? report.resolution.map { try SQLJSON($0) } ?? report.connect.map { try SQLJSON($0) }
        let shapeRefusal = ReportAdmission.fits(detail: report.detail, observation: observation) ? nil : ReportRefusal.tooLarge
        let kindRefusal = TaskKind(rawValue: task.kind).map { ReportAdmission.kindRefusal(report, kind: $0) } ?? .wrongKind
        if let refusal = shapeRefusal ?? kindRefusal {
            task.state = "not_testable"
            task.leasedBy = nil
            rows[report.taskID] = task
            return refusal == .tooLarge
                ? .endTask(why: "result refused: larger than \(ReportAdmission.maximumObservationBytes) bytes of observation or \(ReportAdmission.maximumDetailBytes) of detail",
                           .refusedTooLarge)
                : .endTask(why: "result refused: not the observation of a \(task.kind) task", .refusedWrongKind)
        }
        task.leasedBy = nil
        if report.outcome == .completed, let observation {
            task.state = "done"
            rows[report.taskID] = task
            return .complete(observation: observation)
        }
        let detail = report.outcome == .completed ? "completed report without observation" : report.detail
        let why = [report.outcome.rawValue, detail].compactMap { $0 }.joined(separator: ": ")
        let contactLost = task.contactLost + (report.outcome == .contactLost ? 1 : 0)
        let giveUp = task.attempt - contactLost >= maxAttempts || contactLost > PeilStore.maxContactLost || report.outcome == .notPermitted
        task.state = giveUp ? "not_testable" : "queued"
        task.contactLost = contactLost
        rows[report.taskID] = task
        return .fail(observation: observation, detail: detail, why: why, giveUp: giveUp, contactLost: contactLost)
    }

    /// Of the reports that found no lease, those whose (task, attempt, agent) is already kept (in `reports`).
    private func storedBefore(steps: [Step], on connection: DatabaseConnection) throws -> Set<String> {
        let asked = steps.indices.filter { if case .duplicateOrRefused = steps[$0] { true } else { false } }.map { batch[$0] }
        guard !asked.isEmpty else { return [] }
        return Set(try connection.queryPrepared("""
            SELECT o.task_id, o.attempt, o.agent_id FROM reports o
            JOIN unnest(\(array: asked.map(\.report.taskID))::bigint[], \(array: asked.map(\.report.attempt))::integer[],
                        \(array: asked.map(\.agentID))::text[]) AS c(task_id, attempt, agent_id)
              ON o.task_id = c.task_id AND o.attempt = c.attempt AND o.agent_id = c.agent_id
            """).rows.map { row in "\(try row.decode("task_id", as: Int64.self)) \(try row.decode("attempt", as: Int.self)) \(try row.decode("agent_id", as: String.self))" })
    }

    /// One multi-row INSERT of the observations; false when one was there already.
    private func insertObservations(_ rows: [(index: Int, observation: SQLJSON?, detail: String?)], on connection: DatabaseConnection) throws -> Bool {
        guard !rows.isEmpty else { return true }
        let reports = rows.map { batch[$0.index] }
        // The documents travel as one JSON array (already encoded: no escaping into an array literal).
        let documents = "[" + rows.map { $0.observation?.text ?? "null" }.joined(separator: ",") + "]"
        let inserted = try connection.executePrepared(SQLQuery(unsafeSQL: """
            INSERT INTO observations (task_id, attempt, agent_id, outcome, detail, observation)
            SELECT u.task_id, u.attempt, u.agent_id, u.outcome, u.detail,
                   CASE WHEN json_typeof(j.observation) <> 'null' THEN j.observation END
            FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(task_id, attempt, agent_id, outcome, detail, n)
            JOIN json_array_elements($6::json) WITH ORDINALITY AS j(observation, n) ON j.n = u.n
            ON CONFLICT (task_id, attempt) DO NOTHING
            """, binds: [SQLArrayLiteral.encode(reports.map { String($0.report.taskID) }),
                         SQLArrayLiteral.encode(reports.map { String($0.report.attempt) }),
                         SQLArrayLiteral.encode(reports.map(\.agentID)),
                         SQLArrayLiteral.encode(reports.map(\.report.outcome.rawValue)),
                         SQLArrayLiteral.encode(rows.map(\.detail)), documents]))
        return inserted == rows.count
    }

    /// One multi-row INSERT of the completed reports' results; false when a task had one already.
    private func insertResults(_ indices: [Int], steps: [Step], on connection: DatabaseConnection) throws -> Bool {
        guard !indices.isEmpty else { return true }
        let documents = Self.documents(indices, steps: steps)
        let won = try connection.executePrepared(SQLQuery(unsafeSQL: """
            INSERT INTO results (task_id, measurement_id, kind, domain, attempt, agent_id, observation)
            SELECT t.id, t.measurement_id, t.kind, t.domain, u.attempt, u.agent_id, j.observation
            FROM unnest($1::bigint[], $2::integer[], $3::text[]) WITH ORDINALITY AS u(task_id, attempt, agent_id, n)
            JOIN json_array_elements($4::json) WITH ORDINALITY AS j(observation, n) ON j.n = u.n
            JOIN tasks t ON t.id = u.task_id
            ON CONFLICT (task_id) DO NOTHING
            """, binds: [SQLArrayLiteral.encode(indices.map { String(batch[$0].report.taskID) }),
                         SQLArrayLiteral.encode(indices.map { String(batch[$0].report.attempt) }),
                         SQLArrayLiteral.encode(indices.map { batch[$0].agentID }), documents]))
        return won == indices.count
    }

    /// One multi-row UPDATE of the failed reports' tasks: back to the queue, or ended.
    private func updateFailures(steps: [Step], on connection: DatabaseConnection) throws {
        var ids: [Int64] = [], whys: [String] = [], giveUps: [Bool] = [], contactLost: [Int] = []
        for (index, step) in steps.enumerated() {
            guard case .fail(_, _, let why, let giveUp, let lost) = step else { continue }
            ids.append(batch[index].report.taskID); whys.append(why); giveUps.append(giveUp); contactLost.append(lost)
        }
        guard !ids.isEmpty else { return }
        try connection.executePrepared("""
            UPDATE tasks
            SET state = CASE WHEN u.give_up THEN 'not_testable' ELSE 'queued' END, leased_by = NULL, lease_expires_at = NULL,
                last_error = u.why, finished_at = CASE WHEN u.give_up THEN now() END, contact_lost = u.contact_lost
            FROM unnest(\(array: ids)::bigint[], \(array: whys)::text[], \(array: giveUps)::boolean[], \(array: contactLost)::integer[])
                 AS u(id, why, give_up, contact_lost)
            WHERE tasks.id = u.id
            """)
    }

    /// The completed reports' observations as one JSON array (already encoded: no escaping into an array literal).
    private static func documents(_ indices: [Int], steps: [Step]) -> String {
        "[" + indices.map { index -> String in
            guard case .complete(let observation) = steps[index] else { return "null" }
            return observation.text
        }.joined(separator: ",") + "]"
    }

    /// The indices of the reports that complete their tasks.
    private static func completedIndices(_ steps: [Step]) -> [Int] {
        steps.indices.filter { if case .complete = steps[$0] { true } else { false } }
    }

    /// The keys of the reports this batch stores (a result or a failure's observation).
    private func storedKeys(_ steps: [Step]) -> Set<String> {
        Set(steps.indices.filter {
            switch steps[$0] { case .complete, .fail: true; default: false }
        }.map { Self.key(batch[$0]) })
    }

    /// A report that found no lease of its own: a duplicate when the same report is stored in
    /// this batch or was before, refused otherwise.
    private static func duplicateOrRefused(_ item: ReportToRecord, storedHere: Set<String>, seenBefore: Set<String>) -> ReportDisposition {
        storedHere.contains(key(item)) || seenBefore.contains(key(item)) ? .duplicate : .refusedNotLeased
    }

    private static func key(_ item: ReportToRecord) -> String { "\(item.report.taskID) \(item.report.attempt) \(item.agentID)" }
}
