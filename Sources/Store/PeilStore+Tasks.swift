import Foundation
import PeilModel

extension PeilStore {
    /// How often a task is asked again for free because its agent lost contact: beyond this,
    /// the next one ends it as not testable.
    public static let maxContactLost = 10

    /// Stores an agent's report and moves its task on, in one transaction.
    ///
    /// Only the holder of a lease reports on it: a report is refused (nothing stored) unless its
    /// task is leased to the agent session `session` (nil: the agent's name, see
    /// ``claimTasks(agentID:session:families:limit:leaseSeconds:perAddress:)``) at the report's
    /// attempt; a repeat of a report the agent `agentID` stored before is a `duplicate`. A report on that lease whose observation is not the task kind's, or
    /// that exceeds ``ReportAdmission``'s size limits, is refused too and ends the task as not
    /// testable with the reason (the agent would only send the same again).
    ///
    /// Every accepted report is kept once per (task, attempt), the view `reports` shows them
    /// all: a completed report that becomes the task's final result as its `results` row (task,
    /// attempt, agent and observation; no `observations` row, migration 13), every other one in
    /// `observations` with its outcome, detail and observation. A failure report requeues the task,
    /// or ends it as not testable once `maxAttempts` attempts were used; a `contact_lost` report
    /// (the agent's network, not the target) requeues it without using an attempt, at most
    /// ``maxContactLost`` times. A completed report
    /// without its observation counts as a failure. When a completed report becomes the result
    /// of a domain's task, the connect tasks in `plan` are queued in the same transaction (an
    /// endpoint another domain already planned is shared, not repeated).
    public func recordReport(_ report: TaskReport, agentID: String, session: String? = nil, maxAttempts: Int,
                             plan: [PlannedConnect] = []) throws -> ReportDisposition {
        guard ReportAdmission.attempts.contains(report.attempt) else { return .refusedNotLeased }
        let observation = try report.resolution.map { try SQLJSON($0) } ?? report.connect.map { try SQLJSON($0) }
        let shapeRefusal = ReportAdmission.fits(detail: report.detail, observation: observation) ? nil : ReportRefusal.tooLarge
        let completed = report.outcome == .completed && observation != nil
        var detail = report.detail
        if report.outcome == .completed && observation == nil { detail = "completed report without observation" }
        return try database.transaction { connection in
            guard let task = try connection.query(
                "SELECT state, attempt, kind, lease_session, contact_lost FROM tasks WHERE id = \(report.taskID) FOR UPDATE").rows.first
            else { return .unknownTask }
            let state: String = try task.decode("state")
            let attempt: Int = try task.decode("attempt")
            let leaseSession = try task.decode("lease_session", as: String?.self)
            guard state == "leased", leaseSession == session ?? agentID, attempt == report.attempt else {
                let repeated = try connection.query("""
                    SELECT 1 AS seen FROM reports
                    WHERE task_id = \(report.taskID) AND attempt = \(report.attempt) AND agent_id = \(agentID)
                    """).rows.first
                return repeated != nil ? .duplicate : .refusedNotLeased
            }
            let kindName: String = try task.decode("kind")
            let kindRefusal = TaskKind(rawValue: kindName).map { ReportAdmission.kindRefusal(report, kind: $0) } ?? .wrongKind
            if let refusal = shapeRefusal ?? kindRefusal {
                let why = refusal == .tooLarge
                    ? "result refused: larger than \(ReportAdmission.maximumObservationBytes) bytes of observation or \(ReportAdmission.maximumDetailBytes) of detail"
                    : "result refused: not the observation of a \(kindName) task"
                try endTask(report.taskID, why: why, on: connection)
                return refusal == .tooLarge ? .refusedTooLarge : .refusedWrongKind
            }
            func keep(_ observation: SQLJSON?) throws -> Bool {
                try connection.execute("""
                    INSERT INTO observations (task_id, attempt, agent_id, outcome, detail, observation)
                    VALUES (\(report.taskID), \(report.attempt), \(agentID), \(report.outcome.rawValue), \(detail), \(observation)::json)
                    ON CONFLICT (task_id, attempt) DO NOTHING
                    """) == 1
            }
            if completed {
                let won = try connection.execute("""
                    INSERT INTO results (task_id, measurement_id, kind, domain, attempt, agent_id, observation)
                    SELECT id, measurement_id, kind, domain, \(report.attempt)::integer, \(agentID), \(observation)::json
                    FROM tasks WHERE id = \(report.taskID)
                    ON CONFLICT (task_id) DO NOTHING
                    """)
                guard won == 1 else {
                    // Another report is the result: this one is kept raw, with its observation.
                    return try keep(observation) ? .stale : .duplicate
                }
                try connection.execute("""
                    UPDATE tasks SET state = 'done', leased_by = NULL, lease_expires_at = NULL,
                                     finished_at = now(), last_error = NULL
                    WHERE id = \(report.taskID)
                    """)
                try queueConnectTasks(plan, forTask: report.taskID, on: connection)
                return .stored
            }
            guard try keep(observation) else { return .duplicate }
            let why = [report.outcome.rawValue, detail].compactMap { $0 }.joined(separator: ": ")
            // Lost contact is the vantage's trouble, not the target's: no attempt is used, up to
            // a bound. A fence refusal is not retried: nothing was sent, and nothing would be.
            let contactLost = try task.decode("contact_lost", as: Int.self) + (report.outcome == .contactLost ? 1 : 0)
            let giveUp = attempt - contactLost >= maxAttempts || contactLost > Self.maxContactLost || report.outcome == .notPermitted
            try connection.execute("""
                UPDATE tasks
                SET state = \(giveUp ? "not_testable" : "queued"), leased_by = NULL, lease_expires_at = NULL,
                    last_error = \(why), finished_at = CASE WHEN \(giveUp)::boolean THEN now() END, contact_lost = \(contactLost)
                WHERE id = \(report.taskID)
                """)
            return giveUp ? .notTestable : .requeued
        }
    }

    /// Ends a task leased to the agent session `session` (nil: the agent's name `agentID`) at
    /// `attempt` as not testable with `why` as its last error: its result was refused (wrong
    /// kind, too large) or PostgreSQL could not store it, and the agent would only send the same
    /// again. Any other lease is left alone.
    /// - Returns: whether the task ended.
    @discardableResult
    public func endLeasedTask(taskID: Int64, attempt: Int, agentID: String, session: String? = nil, why: String) throws -> Bool {
        guard ReportAdmission.attempts.contains(attempt) else { return false }
        return try database.transaction { connection in
            guard let task = try connection.query(
                "SELECT state, attempt, lease_session FROM tasks WHERE id = \(taskID) FOR UPDATE").rows.first,
                  try task.decode("state", as: String.self) == "leased", try task.decode("attempt", as: Int.self) == attempt,
                  try task.decode("lease_session", as: String?.self) == session ?? agentID
            else { return false }
            try endTask(taskID, why: why, on: connection)
            return true
        }
    }

    /// Ends a task as not testable with `why` as its last error (bounded to 1,000 characters).
    private func endTask(_ taskID: Int64, why: String, on connection: DatabaseConnection) throws {
        try connection.execute("""
            UPDATE tasks SET state = 'not_testable', leased_by = NULL, lease_expires_at = NULL,
                             last_error = \(String(why.prefix(1000))), finished_at = now()
            WHERE id = \(taskID)
            """)
    }

    /// Ends every lease past its expiry: the task goes back to the queue, or ends as not
    /// testable when `maxAttempts` attempts were used.
    /// - Returns: how many leases ended.
    @discardableResult
    public func expireLeases(maxAttempts: Int) throws -> Int {
        try database.execute("""
            UPDATE tasks
            SET state = CASE WHEN attempt - contact_lost >= \(maxAttempts) THEN 'not_testable' ELSE 'queued' END,
                finished_at = CASE WHEN attempt - contact_lost >= \(maxAttempts) THEN now() END,
                last_error = 'lease expired (agent ' || leased_by || ')',
                leased_by = NULL, lease_expires_at = NULL
            WHERE state = 'leased' AND lease_expires_at < now()
            """)
    }

    /// Ends every lease the agent session `session` holds (the session is over: BYE, silent past
    /// the agent timeout, replaced by a new process); the agent's other sessions, on this
    /// coordinator or another, keep theirs. Like a lost contact, that is the vantage's trouble, not the target's: the task
    /// is queued again without using an attempt, counted in `contact_lost` and ended as not
    /// testable past ``maxContactLost`` (a target that kills every agent that probes it ends).
    /// - Returns: how many leases ended.
    @discardableResult
    public func releaseLeases(session: String) throws -> Int {
        try database.execute("""
            UPDATE tasks
            SET state = CASE WHEN contact_lost + 1 > \(Self.maxContactLost) THEN 'not_testable' ELSE 'queued' END,
                finished_at = CASE WHEN contact_lost + 1 > \(Self.maxContactLost) THEN now() END,
                contact_lost = contact_lost + 1,
                last_error = 'lease released (agent ' || leased_by || ' gone)',
                leased_by = NULL, lease_expires_at = NULL
            WHERE state = 'leased' AND lease_session = \(session)
            """)
    }
}

extension PeilStore {
    /// Queues `plan` for the domain of task `taskID` (nothing for a connect task) and links
    /// the domain to each planned task, new or already queued by another domain.
    func queueConnectTasks(_ plan: [PlannedConnect], forTask taskID: Int64, on connection: DatabaseConnection) throws {
        try queueConnectTasks([(taskID, plan)], on: connection)
    }

    /// ``queueConnectTasks(_:forTask:on:)`` for several domains' tasks at once: two statements
    /// (prepared) for all of them. The connect tasks are made in the order given; an endpoint
    /// two of them plan is made once and linked to both.
    func queueConnectTasks(_ plans: [(taskID: Int64, plan: [PlannedConnect])], on connection: DatabaseConnection) throws {
        let rows = plans.flatMap { item in item.plan.map { (taskID: item.taskID, connect: $0) } }
        guard !rows.isEmpty else { return }
        let tasks = rows.map { String($0.taskID) }
        let keys = rows.map(\.connect.endpointKey)
        let targets = try rows.map { try SQLJSON($0.connect.target).text }
        // Each endpoint's key first, with the id its task will have (in plan order); only the
        // keys that went in (not already a task of the measurement, here or in another
        // transaction) become tasks. `task_keys` is the endpoints' uniqueness (migration 21).
        try connection.executePrepared("""
            WITH planned AS (
                SELECT DISTINCT ON (t.measurement_id, p.key) t.measurement_id, p.kind, p.host, p.family, p.address, p.key, p.target, p.n
                FROM unnest(\(array: tasks)::bigint[], \(array: rows.map(\.connect.kind.rawValue))::text[], \(array: rows.map(\.connect.target.host))::text[],
                            \(array: rows.map(\.connect.target.family.rawValue))::text[], \(array: rows.map(\.connect.target.address))::text[],
                            \(array: keys)::text[], \(array: targets)::text[]) WITH ORDINALITY AS p(task_id, kind, host, family, address, key, target, n)
                JOIN tasks t ON t.id = p.task_id AND t.domain_id IS NOT NULL
                ORDER BY t.measurement_id, p.key, p.n
            ), made AS (
                INSERT INTO task_keys (measurement_id, endpoint_key, task_id)
                SELECT o.measurement_id, o.key, nextval(pg_get_serial_sequence('tasks', 'id'))
                FROM (SELECT measurement_id, key FROM planned ORDER BY n) AS o
                ON CONFLICT DO NOTHING
                RETURNING measurement_id, endpoint_key, task_id
            )
            INSERT INTO tasks (id, measurement_id, kind, domain_id, domain, web_host, family, address, endpoint_key, target)
            SELECT m.task_id, p.measurement_id, p.kind, NULL, p.host, p.host, p.family, p.address, p.key, p.target::jsonb
            FROM made m JOIN planned p ON p.measurement_id = m.measurement_id AND p.key = m.endpoint_key
            ORDER BY m.task_id
            """)
        try connection.executePrepared("""
            INSERT INTO task_links (measurement_id, domain_id, task_id)
            SELECT t.measurement_id, t.domain_id, k.task_id
            FROM unnest(\(array: tasks)::bigint[], \(array: keys)::text[]) AS p(task_id, key)
            JOIN tasks t ON t.id = p.task_id AND t.domain_id IS NOT NULL
            JOIN task_keys k ON k.measurement_id = t.measurement_id AND k.endpoint_key = p.key
            ON CONFLICT DO NOTHING
            """)
    }
}
