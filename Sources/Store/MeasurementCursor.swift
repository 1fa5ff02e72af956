import Foundation
import PeilModel

/// One domain of a measurement as stored: its resolve task's state, its resolution and the
/// connect tasks it relies on (by task id), as ``MeasurementCursor`` reads them.
public struct StoredDomain: Sendable {
    public var name: String
    /// The resolve task's state: `done`, `not_testable`, or still `queued`/`leased`.
    public var state: String
    public var lastError: String?
    public var resolution: ResolutionObservation?
    public var connects: [LinkedConnect]
}

/// A measurement's domains in name order (as ``PeilStore/measuredDomains(measurementID:)``
/// sorts them), read a batch at a time through a server-side cursor (`DECLARE … CURSOR`,
/// `FETCH n`) in one read-only transaction on a connection of its own, so a reader holds one
/// batch, not the measurement, and every batch sees the same snapshot. Each batch's connect
/// results are read with it (a task shared by many domains is decoded once a batch).
///
/// Not for a rescan: its domains come from the measurements it rescans (``PeilStore/rescanOrigin(measurementID:)``).
public final class MeasurementCursor {
    private let database: Database
    private let measurementID: Int64
    private let batchSize: Int
    private var open = true
    private let decoder = StoredJSON.decoder()

    /// Opens the cursor on a new connection to `store`'s database.
    public init(store: PeilStore, measurementID: Int64, batchSize: Int) throws {
        precondition(batchSize > 0, "a batch holds at least one domain")
        database = try store.database.newConnection()
        self.measurementID = measurementID
        self.batchSize = batchSize
        try database.withConnection(continuingTransaction: true) { connection in
            try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            // JIT would compile for the plan's cost (a lookup per domain), not for its work: an
            // index lookup and a detoast a row, which it does not speed up (measured: the first
            // batch of 1,000 of 100,000 domains 319 ms with JIT, 146 ms without).
            try connection.execute("SET LOCAL jit = off")
            let query = Self.domainsQuery(measurementID: measurementID)
            try connection.execute(SQLQuery(unsafeSQL: "DECLARE measured_domains NO SCROLL CURSOR FOR " + query.sql, binds: query.binds))
        }
    }

    deinit { close() }

    /// The cursor's query: a measurement's resolve tasks in name order, each with its result's
    /// observation. Only the narrow task rows are sorted (in a subquery of their own, which the
    /// planner keeps apart, however the statement is planned); each observation is read (and
    /// detoasted) by the subquery above the sort, as its batch is fetched. Joined below the
    /// sort, every observation was part of it, so the first FETCH sorted the whole
    /// measurement's observations (4.7 s at 100,000 domains, past the 60 s statement timeout at
    /// 1,000,000: docs/SCALE.md, "Reads"). `results` has at most one row a task (its key), as
    /// the join had. The tasks are found by `peil_measurement_task_ids` (migration 25: by
    /// their results, the queue's index and the leases' index; no index holds every task).
    static func domainsQuery(measurementID: Int64) -> SQLQuery {
        """
        SELECT s.domain, s.state, s.last_error,
               (SELECT r.observation::text FROM results r WHERE r.task_id = s.id) AS observation
        FROM (SELECT t.id, t.domain, t.state, t.last_error
              FROM peil_measurement_task_ids(\(measurementID), ARRAY[\(TaskKind.resolve.rawValue)]::text[]) AS m(id) JOIN tasks t ON t.id = m.id
              ORDER BY t.domain) AS s
        ORDER BY s.domain
        """
    }

    /// The next batch, in name order; nil after the last (the cursor is then closed).
    public func next() throws -> [StoredDomain]? {
        guard open else { return nil }
        let rows: [Row] = try database.withConnection(continuingTransaction: true) { connection in
            // FETCH takes no parameters; the count is ours, a number.
            try connection.query(SQLQuery(unsafeSQL: "FETCH FORWARD \(batchSize) FROM measured_domains")).rows
        }
        guard !rows.isEmpty else {
            close()
            return nil
        }
        var domains: [StoredDomain] = []
        domains.reserveCapacity(rows.count)
        for row in rows {
            let name: String = try row.decode("domain")
            let resolution: ResolutionObservation?
            do {
                resolution = try row.decode("observation", as: String?.self).map { try decoder.decode(ResolutionObservation.self, from: Data($0.utf8)) }
            } catch let error as DatabaseError {
                throw error
            } catch {
                throw DatabaseError(code: .decoding, message: "stored result for \(name) does not decode: \(error)")
            }
            domains.append(StoredDomain(name: name, state: try row.decode("state"), lastError: try row.decode("last_error", as: String?.self),
                                        resolution: resolution, connects: []))
        }
        let connects = try connects(of: domains.map(\.name))
        for index in domains.indices { domains[index].connects = connects[domains[index].name] ?? [] }
        return domains
    }

    /// The connect tasks linked to `names`, by domain, each domain's by task id. The links are
    /// read first and each task once (a task shared by the whole batch, a hoster's address, is
    /// one row, not one a domain).
    private func connects(of names: [String]) throws -> [String: [LinkedConnect]] {
        let (links, tasks) = try database.withConnection(continuingTransaction: true) { connection in
            let links = try connection.query("""
                SELECT d.name AS domain, l.task_id
                FROM domains d JOIN task_links l ON l.domain_id = d.id AND l.measurement_id = \(measurementID)
                WHERE d.name = ANY(\(array: names)::text[])
                ORDER BY d.name, l.task_id
                """).rows
            let ids = Array(Set(try links.map { try $0.decode("task_id", as: Int64.self) }))
            let tasks = try connection.query("""
                SELECT t.id, t.kind, t.target::text AS target, t.state, t.last_error, r.observation::text AS observation
                FROM tasks t LEFT JOIN results r ON r.task_id = t.id
                WHERE t.id = ANY(\(array: ids)::bigint[]) AND t.measurement_id = \(measurementID) AND t.endpoint_key IS NOT NULL
                """).rows
            return (links, tasks)
        }
        var decoded: [Int64: LinkedConnect] = [:]
        for row in tasks { decoded[try row.decode("id")] = try PeilStore.linkedConnect(row, decoder: decoder) }
        var linked: [String: [LinkedConnect]] = [:]
        for row in links {
            guard let task = decoded[try row.decode("task_id", as: Int64.self)] else { continue }
            linked[try row.decode("domain", as: String.self), default: []].append(task)
        }
        return linked
    }

    /// Ends the transaction (and with it the cursor); later calls of ``next()`` give nil.
    public func close() {
        guard open else { return }
        open = false
        _ = try? database.withConnection(continuingTransaction: true) { try $0.execute("COMMIT") }
    }
}
