import Foundation
import PeilModel

extension PeilStore {
    /// Records an agent that said HELLO (or updates it when it reconnects).
    public func registerAgent(id: String, publicKey: String, families: [AddressFamily],
                              concurrency: Int, version: String) throws {
        try database.execute("""
            INSERT INTO agents (id, public_key, families, concurrency, version)
            VALUES (\(id), \(publicKey), \(array: families.map(\.rawValue))::text[], \(concurrency), \(version))
            ON CONFLICT (id) DO UPDATE
            SET public_key = excluded.public_key, families = excluded.families,
                concurrency = excluded.concurrency, version = excluded.version, last_seen_at = now()
            """)
    }

    /// Moves the leases of the agent's earlier session `previous` to its new session `session`:
    /// the same agent process said HELLO again (to a restarted coordinator, or another one) and
    /// named the session it had, so its results on those leases are still its own. Only leases
    /// of `agentID` (the allow-list's name for the key that said HELLO) move.
    /// - Returns: how many leases moved.
    @discardableResult
    public func resumeLeases(agentID: String, previous: String, session: String) throws -> Int {
        try database.execute("""
            UPDATE tasks SET lease_session = \(session)
            WHERE state = 'leased' AND lease_session = \(previous) AND leased_by = \(agentID)
            """)
    }

    /// Notes that the agent was heard from now.
    /// - Returns: false when no such agent is registered.
    @discardableResult
    public func touchAgent(id: String) throws -> Bool {
        try database.execute("UPDATE agents SET last_seen_at = now() WHERE id = \(id)") == 1
    }
}

/// A known agent as the store keeps it, for `peil agents`.
public struct AgentRecord: Sendable, Hashable, Codable {
    public var id: String
    public var families: [AddressFamily]
    public var concurrency: Int
    public var version: String
    public var registeredAt: Date
    /// When the coordinator last heard from it (HELLO, and every few seconds while connected).
    public var lastSeenAt: Date
    /// How long ago that was, by PostgreSQL's clock (so a skewed local clock does not matter).
    public var silenceSeconds: Double

    public init(id: String, families: [AddressFamily], concurrency: Int, version: String,
                registeredAt: Date, lastSeenAt: Date, silenceSeconds: Double) {
        self.id = id
        self.families = families
        self.concurrency = concurrency
        self.version = version
        self.registeredAt = registeredAt
        self.lastSeenAt = lastSeenAt
        self.silenceSeconds = silenceSeconds
    }
}

/// How many tasks of one measurement and kind are in one state.
public struct TaskStateCount: Sendable, Hashable {
    public var measurementID: Int64
    public var kind: String
    public var state: String
    public var count: Int

    public init(measurementID: Int64, kind: String, state: String, count: Int) {
        self.measurementID = measurementID
        self.kind = kind
        self.state = state
        self.count = count
    }
}

extension PeilStore {
    /// Notes that the agents `ids` were heard from now (a connected coordinator's periodic touch).
    /// - Returns: how many of them are registered.
    @discardableResult
    public func touchAgents(ids: [String]) throws -> Int {
        guard !ids.isEmpty else { return 0 }
        return try database.execute("UPDATE agents SET last_seen_at = now() WHERE id = ANY(\(array: ids)::text[])")
    }

    /// Every known agent, by id.
    public func agents() throws -> [AgentRecord] {
        try database.query("""
            SELECT id, array_to_string(families, ',') AS families, concurrency, version,
                   extract(epoch FROM registered_at)::float8 AS registered_at,
                   extract(epoch FROM last_seen_at)::float8 AS last_seen_at,
                   extract(epoch FROM now() - last_seen_at)::float8 AS silence
            FROM agents ORDER BY id
            """).rows.map { row in
            let families: String = try row.decode("families")
            return AgentRecord(
                id: try row.decode("id"),
                families: families.split(separator: ",").compactMap { AddressFamily(rawValue: String($0)) },
                concurrency: try row.decode("concurrency"), version: try row.decode("version"),
                registeredAt: Date(timeIntervalSince1970: try row.decode("registered_at")),
                lastSeenAt: Date(timeIntervalSince1970: try row.decode("last_seen_at")),
                silenceSeconds: try row.decode("silence"))
        }
    }

    /// Tasks per measurement, kind and state: one grouped query (for the coordinator's metrics,
    /// every 2 s), over the measurements that still have open tasks and the five newest, not
    /// over every task ever queued (the table only grows). Each state is counted where it is
    /// indexed, with no index entry written for it in the ingest (migration 25): the queued and
    /// untestable tasks from their index by measurement, kind and state, the leased ones from
    /// the leases' index (which carries measurement and kind), the done ones as their results.
    /// Every count is an index-only scan; the measurements are found first and given as an array.
    public func taskStateCounts() throws -> [TaskStateCount] {
        try database.query(Self.taskStateCountsQuery).rows.map {
            TaskStateCount(measurementID: try $0.decode("measurement_id"), kind: try $0.decode("kind"),
                           state: try $0.decode("state"), count: try $0.decode("count"))
        }
    }

    /// The statement of ``taskStateCounts()``.
    static let taskStateCountsQuery: SQLQuery = """
        WITH leased AS MATERIALIZED (
            SELECT measurement_id, kind, count(*)::bigint AS count FROM tasks
            WHERE state = 'leased' GROUP BY measurement_id, kind
        ), counted AS MATERIALIZED (
            SELECT m.id FROM measurements m
            WHERE m.id IN (SELECT id FROM measurements WHERE NOT imported ORDER BY id DESC LIMIT 5)
               OR m.id IN (SELECT measurement_id FROM leased)
               OR EXISTS (SELECT 1 FROM tasks o WHERE o.measurement_id = m.id AND o.state = 'queued')
        )
        SELECT measurement_id, kind, state, count FROM (
            SELECT measurement_id, kind, state, count(*)::bigint AS count FROM tasks
            WHERE measurement_id = ANY(ARRAY(SELECT id FROM counted)) AND state IN ('queued', 'not_testable')
            GROUP BY measurement_id, kind, state
            UNION ALL
            SELECT measurement_id, kind, 'leased', count FROM leased WHERE measurement_id = ANY(ARRAY(SELECT id FROM counted))
            UNION ALL
            SELECT measurement_id, kind, 'done', count(*)::bigint FROM results
            WHERE measurement_id = ANY(ARRAY(SELECT id FROM counted))
            GROUP BY measurement_id, kind
        ) AS counts
        ORDER BY measurement_id, state, kind
        """
}
