import Foundation
import PeilModel

extension PeilStore {
    /// Namespace (first key) of the transaction-scoped advisory locks a claim takes per target
    /// address; the second key is `hashtext(address)`. Two addresses with one hash share a
    /// lock, which only serialises their claims.
    static let addressLockNamespace: Int32 = 0x5045_494C // "PEIL"

    /// Leases up to `limit` queued tasks to `agentID`: oldest measurement first, only tasks
    /// with no family or one of `families`, and no more than `perAddress` leased tasks per
    /// target address at once (politeness towards shared servers), across every coordinator on
    /// the database. Each claimed task's attempt goes up by one and its lease ends
    /// `leaseSeconds` from now; its `freeAttempts` are the task's `contact_lost`. Rows and
    /// addresses other claims hold are skipped.
    ///
    /// The cost follows the work in flight, not the queue (docs/SCALE.md). In one transaction:
    /// (1) a short walk of each family's queue, in claim order and past addresses already at
    /// their cap, locks a window of candidate tasks, and the claim takes the advisory lock of
    /// each chosen candidate's address (`pg_try_advisory_xact_lock`: an address another claim
    /// holds is skipped, never waited for); (2) a second statement, whose snapshot is taken
    /// after those locks were held and so sees every earlier claim on the addresses, counts
    /// their leased tasks, admits candidates up to the cap and leases them. Releases need no
    /// bookkeeping: the count is the tasks' own.
    public func claimTasks(agentID: String, families: [AddressFamily], limit: Int,
                           leaseSeconds: Double, perAddress: Int = 4) throws -> [TaskAssignment] {
        guard limit > 0 else { return [] }
        let rows = try database.transaction { connection -> [Row] in
            let candidates = try Self.claimCandidates(on: connection, families: families, limit: limit, perAddress: perAddress)
                .filter { $0.address == nil || $0.locked }
            guard !candidates.isEmpty else { return [] }
            return try connection.query("""
                WITH candidate AS (
                    SELECT * FROM unnest(\(array: candidates.map(\.taskID))::bigint[], \(array: candidates.map(\.address))::text[])
                        WITH ORDINALITY AS c(id, address, position)
                ), busy AS (
                    SELECT address, count(*) AS leased FROM tasks
                    WHERE state = 'leased' AND address IN (SELECT address FROM candidate) GROUP BY address
                ), admitted AS (
                    SELECT id FROM (
                        SELECT c.id, c.position, c.address, COALESCE(b.leased, 0) AS leased,
                               row_number() OVER (PARTITION BY c.address ORDER BY c.position) AS rank
                        FROM candidate c LEFT JOIN busy b ON b.address = c.address
                    ) AS ranked
                    WHERE address IS NULL OR leased + rank <= \(perAddress)::integer
                )
                UPDATE tasks t
                SET state = 'leased', attempt = t.attempt + 1, leased_by = \(agentID),
                    lease_expires_at = now() + make_interval(secs => \(leaseSeconds)::float8)
                FROM admitted WHERE t.id = admitted.id AND t.state = 'queued'
                RETURNING t.id, t.attempt, t.contact_lost, t.measurement_id, t.kind, t.domain, t.web_host, t.family, t.target::text AS target
                """).rows
        }
        return try rows.map(Self.assignment).sorted { ($0.measurementID, $0.taskID) < ($1.measurementID, $1.taskID) }
    }

    /// A queued task a claim has locked, and whether it holds the lock of the task's address.
    private struct Candidate {
        var taskID: Int64
        var address: String?
        var locked: Bool
    }

    /// Step (1) of a claim: up to `limit` queued tasks in claim order, locked (`FOR UPDATE SKIP
    /// LOCKED`), from a window of each family's queue that leaves out addresses already at
    /// `perAddress` and takes no more from an address than its free slots (both as this
    /// statement's snapshot sees them: step (2) has the last word), each with whether the
    /// claim now holds its address's advisory lock.
    private static func claimCandidates(on connection: DatabaseConnection, families: [AddressFamily], limit: Int,
                                        perAddress: Int) throws -> [Candidate] {
        let window = max(2 * limit, limit + 16)
        let ipv4 = families.contains(.ipv4) ? AddressFamily.ipv4.rawValue : nil
        let ipv6 = families.contains(.ipv6) ? AddressFamily.ipv6.rawValue : nil
        return try connection.query("""
            WITH busy AS MATERIALIZED (
                SELECT address, count(*)::integer AS leased FROM tasks
                WHERE state = 'leased' AND address IS NOT NULL GROUP BY address
            ), full_addresses AS MATERIALIZED (
                SELECT address FROM busy WHERE leased >= \(perAddress)::integer
            ), v4 AS (
                SELECT id, measurement_id, address FROM tasks
                WHERE state = 'queued' AND family = \(ipv4)::text
                  AND (address IS NULL OR address NOT IN (SELECT address FROM full_addresses))
                ORDER BY measurement_id, id LIMIT \(window)::integer
                FOR UPDATE SKIP LOCKED
            ), v6 AS (
                SELECT id, measurement_id, address FROM tasks
                WHERE state = 'queued' AND family = \(ipv6)::text
                  AND (address IS NULL OR address NOT IN (SELECT address FROM full_addresses))
                ORDER BY measurement_id, id LIMIT \(window)::integer
                FOR UPDATE SKIP LOCKED
            ), any_family AS (
                SELECT id, measurement_id, address FROM tasks
                WHERE state = 'queued' AND family IS NULL
                  AND (address IS NULL OR address NOT IN (SELECT address FROM full_addresses))
                ORDER BY measurement_id, id LIMIT \(window)::integer
                FOR UPDATE SKIP LOCKED
            ), walk AS (
                SELECT * FROM v4 UNION ALL SELECT * FROM v6 UNION ALL SELECT * FROM any_family
            ), chosen AS (
                SELECT id, measurement_id, address FROM (
                    SELECT w.id, w.measurement_id, w.address, COALESCE(b.leased, 0) AS leased,
                           row_number() OVER (PARTITION BY w.address ORDER BY w.measurement_id, w.id) AS rank
                    FROM walk w LEFT JOIN busy b ON b.address = w.address
                ) AS ranked
                WHERE address IS NULL OR leased + rank <= \(perAddress)::integer
                ORDER BY measurement_id, id LIMIT \(limit)::integer
            )
            SELECT id, address,
                   address IS NULL OR pg_try_advisory_xact_lock(\(Self.addressLockNamespace)::integer, hashtext(address)) AS locked
            FROM chosen ORDER BY measurement_id, id
            """).rows.map { row in
            Candidate(taskID: try row.decode("id"), address: try row.decode("address", as: String?.self), locked: try row.decode("locked"))
        }
    }

    /// A leased task's row as the agent is given it.
    private static func assignment(_ row: Row) throws -> TaskAssignment {
        let kindName: String = try row.decode("kind")
        guard let kind = TaskKind(rawValue: kindName) else {
            throw DatabaseError(code: .decoding, message: "task kind '\(kindName)' is unknown to this build")
        }
        let family = try row.decode("family", as: String?.self).flatMap(AddressFamily.init(rawValue:))
        let target = try row.decode("target", as: String?.self).map { text in
            do { return try JSONDecoder().decode(ConnectTarget.self, from: Data(text.utf8)) } catch {
                throw DatabaseError(code: .decoding, message: "task target does not decode: \(error)")
            }
        }
        return TaskAssignment(
            taskID: try row.decode("id"), attempt: try row.decode("attempt"),
            measurementID: try row.decode("measurement_id"), kind: kind, domain: try row.decode("domain"),
            webHost: try row.decode("web_host"), family: family, target: target, freeAttempts: try row.decode("contact_lost"))
    }
}
