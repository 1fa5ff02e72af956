import Foundation
import PeilModel

extension PeilStore {
    /// Creates a measurement over the union of `sets` and queues one `resolve` task per distinct
    /// domain, for agents of ``TaskKind/requiredFamily``. The task's web host is the explicit web host a member set gives (the smallest, if
    /// several do), else `www.<domain>`.
    /// - Returns: the new measurement's id.
    /// - Throws: ``StoreError`` naming an unknown or empty set, or `noSets`.
    public func createMeasurement(sets: [String]) throws -> Int64 {
        var names: [String] = []
        for name in sets.map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }) where !names.contains(name) {
            names.append(name)
        }
        guard !names.isEmpty else { throw StoreError.noSets }
        return try database.transaction { connection in
            // FOR SHARE: an import of one of these sets waits until the plan is made.
            let rows = try connection.query("""
                SELECT s.name, (SELECT count(*) FROM set_members m WHERE m.set_id = s.id) AS domains
                FROM sets s WHERE s.name = ANY(\(array: names)::text[])
                FOR SHARE
                """).rows
            var sizes: [String: Int] = [:]
            for row in rows { sizes[try row.decode("name")] = try row.decode("domains", as: Int.self) }
            for name in names {
                guard let size = sizes[name] else { throw StoreError.unknownSet(name) }
                guard size > 0 else { throw StoreError.emptySet(name) }
            }
            let id: Int64 = try connection.query(
                "INSERT INTO measurements (sets) VALUES (\(array: names)::text[]) RETURNING id").single().decode("id")
            try queueResolveTasks(measurementID: id, sets: names, on: connection)
            return id
        }
    }

    /// Queues one resolve task for every domain of `sets` (each once, with its web host), or
    /// only for those in `slices` of `count` (a rolling schedule's share: the first 32 bits of
    /// the MD5 of the name, modulo `count`), or only for `domains` (a rescan's), inside the
    /// caller's transaction.
    /// - Returns: how many were queued.
    @discardableResult
    func queueResolveTasks(measurementID id: Int64, sets: [String], slices: (indexes: [Int], count: Int)? = nil,
                           domains: [String]? = nil, on connection: DatabaseConnection) throws -> Int {
        let indexes = slices.map { "{" + $0.indexes.map(String.init).joined(separator: ",") + "}" }
        return try connection.execute("""
            INSERT INTO tasks (measurement_id, kind, domain_id, domain, web_host, family)
            SELECT \(id)::bigint, \(TaskKind.resolve.rawValue), d.id, d.name,
                   COALESCE(min(m.web_host), 'www.' || d.name), \(TaskKind.resolve.requiredFamily?.rawValue)
            FROM set_members m
            JOIN sets s ON s.id = m.set_id
            JOIN domains d ON d.id = m.domain_id
            WHERE s.name = ANY(\(array: sets)::text[])
              AND (\(slices?.count)::integer IS NULL
                   OR ('x' || substr(md5(d.name), 1, 8))::bit(32)::bigint % \(slices?.count)::integer = ANY(\(indexes)::integer[]))
              AND (\(domains == nil)::boolean OR d.name = ANY(\(array: domains ?? [])::text[]))
            GROUP BY d.id, d.name
            ORDER BY d.name
            """)
    }

    /// Every measurement's id, oldest first.
    public func measurementIDs() throws -> [Int64] {
        try database.query("SELECT id FROM measurements ORDER BY id").rows.map { try $0.decode("id") }
    }

    /// The newest Peil (not imported) measurement's id, nil when there is none.
    public func latestMeasurementID() throws -> Int64? {
        try database.query("SELECT max(id) AS id FROM measurements WHERE NOT imported").single().decode("id", as: Int64?.self)
    }

    /// True when none of the measurement's tasks is queued or leased any more.
    /// - Throws: ``StoreError/unknownMeasurement(_:)``.
    public func measurementComplete(_ id: Int64) throws -> Bool {
        try progress(measurementID: id).isComplete
    }

    /// Task counts by state, and per agent the final results it gave and when.
    /// - Throws: ``StoreError/unknownMeasurement(_:)``.
    public func progress(measurementID: Int64) throws -> MeasurementProgress {
        try database.transaction { connection in
            // REPEATABLE READ is not needed: counts and agents may be a moment apart. Each state
            // is counted where it is indexed (migration 25), all in one statement's snapshot.
            let counts = try connection.query("""
                SELECT known, queued, leased, done, not_testable, queued + leased + done + not_testable AS total FROM (
                    SELECT (SELECT count(*) FROM measurements WHERE id = \(measurementID)) AS known,
                           (SELECT count(*) FROM tasks WHERE measurement_id = \(measurementID) AND state = 'queued') AS queued,
                           (SELECT count(*) FROM tasks WHERE state = 'leased' AND measurement_id = \(measurementID)) AS leased,
                           (SELECT count(*) FROM results WHERE measurement_id = \(measurementID)) AS done,
                           (SELECT count(*) FROM tasks WHERE measurement_id = \(measurementID) AND state = 'not_testable') AS not_testable
                ) AS counts
                """).single()
            guard try counts.decode("known", as: Int.self) == 1 else {
                throw StoreError.unknownMeasurement(measurementID)
            }
            let agents = try connection.query("""
                SELECT agent_id, count(*) AS done,
                       extract(epoch FROM min(recorded_at))::float8 AS first_result,
                       extract(epoch FROM max(recorded_at))::float8 AS last_result
                FROM results WHERE measurement_id = \(measurementID)
                GROUP BY agent_id ORDER BY agent_id
                """).rows.map { row in
                AgentThroughput(agentID: try row.decode("agent_id"), tasksDone: try row.decode("done"),
                                firstResultAt: try row.date("first_result"), lastResultAt: try row.date("last_result"))
            }
            return MeasurementProgress(
                measurementID: measurementID, total: try counts.decode("total"), queued: try counts.decode("queued"),
                leased: try counts.decode("leased"), done: try counts.decode("done"),
                notTestable: try counts.decode("not_testable"), agents: agents)
        }
    }

    /// The final resolution result of every domain of the measurement that has one, by domain.
    public func resolutionResults(measurementID: Int64) throws -> [String: ResolutionObservation] {
        let rows = try database.query("""
            SELECT r.domain, r.observation::text AS observation
            FROM results r
            WHERE r.measurement_id = \(measurementID) AND r.kind = \(TaskKind.resolve.rawValue)
            """).rows
        let decoder = StoredJSON.decoder()
        var results: [String: ResolutionObservation] = [:]
        for row in rows {
            let domain: String = try row.decode("domain")
            let text: String = try row.decode("observation")
            do {
                results[domain] = try decoder.decode(ResolutionObservation.self, from: Data(text.utf8))
            } catch {
                throw DatabaseError(code: .decoding, message: "stored result for \(domain) does not decode: \(error)")
            }
        }
        return results
    }
}

/// A connect task a domain relies on, and how it ended.
public struct LinkedConnect: Sendable, Hashable {
    public var kind: TaskKind
    public var target: ConnectTarget
    /// `done`, `not_testable`, or still `queued`/`leased`.
    public var state: String
    /// The final observation when done.
    public var observation: ConnectObservation?
    public var lastError: String?
}

extension PeilStore {
    /// The kinds of connect tasks (every kind but `resolve`).
    static let connectKinds = TaskKind.allCases.filter { $0 != .resolve }.map(\.rawValue)

    /// Every connect task linked to each domain of the measurement, by domain. A task shared by
    /// many domains (a cloud mail address) is read and decoded once.
    public func connectResults(measurementID: Int64) throws -> [String: [LinkedConnect]] {
        let decoder = StoredJSON.decoder()
        var tasks: [Int64: LinkedConnect] = [:]
        for row in try database.query("""
            SELECT t.id, t.kind, t.target::text AS target, t.state, t.last_error, r.observation::text AS observation
            FROM peil_measurement_task_ids(\(measurementID), \(array: Self.connectKinds)::text[]) AS m(id)
            JOIN tasks t ON t.id = m.id LEFT JOIN results r ON r.task_id = t.id
            WHERE t.endpoint_key IS NOT NULL
            """).rows {
            let id: Int64 = try row.decode("id")
            tasks[id] = try Self.linkedConnect(row, decoder: decoder)
        }
        var linked: [String: [LinkedConnect]] = [:]
        for row in try database.query("""
            SELECT d.name AS domain, l.task_id FROM task_links l JOIN domains d ON d.id = l.domain_id
            WHERE l.measurement_id = \(measurementID) ORDER BY d.name, l.task_id
            """).rows {
            guard let task = tasks[try row.decode("task_id", as: Int64.self)] else { continue }
            linked[try row.decode("domain", as: String.self), default: []].append(task)
        }
        return linked
    }
}

extension PeilStore {
    /// Every domain of the measurement with the state of its resolve task and why it failed,
    /// sorted by name.
    public func measuredDomains(measurementID: Int64) throws -> [(domain: String, state: String, lastError: String?)] {
        try database.query("""
            SELECT t.domain, t.state, t.last_error
            FROM peil_measurement_task_ids(\(measurementID), ARRAY[\(TaskKind.resolve.rawValue)]::text[]) AS m(id) JOIN tasks t ON t.id = m.id
            ORDER BY t.domain
            """).rows.map { (try $0.decode("domain"), try $0.decode("state"), try $0.decode("last_error", as: String?.self)) }
    }
}

extension PeilStore {
    /// A connect task's row (`id`, `kind`, `target`, `state`, `last_error`, `observation`) decoded.
    static func linkedConnect(_ row: Row, decoder: JSONDecoder) throws -> LinkedConnect {
        let id: Int64 = try row.decode("id")
        let kindName: String = try row.decode("kind")
        guard let kind = TaskKind(rawValue: kindName) else {
            throw DatabaseError(code: .decoding, message: "task kind '\(kindName)' is unknown to this build")
        }
        do {
            let target = try decoder.decode(ConnectTarget.self, from: Data(try row.decode("target", as: String.self).utf8))
            let observation = try row.decode("observation", as: String?.self).map {
                try decoder.decode(ConnectObservation.self, from: Data($0.utf8))
            }
            return LinkedConnect(kind: kind, target: target, state: try row.decode("state"), observation: observation,
                                 lastError: try row.decode("last_error", as: String?.self))
        } catch let error as DatabaseError {
            throw error
        } catch {
            throw DatabaseError(code: .decoding, message: "stored connect result of task \(id) does not decode: \(error)")
        }
    }
}
