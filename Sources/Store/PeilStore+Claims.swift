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
    /// `leaseSeconds` from now. Rows and addresses other claims hold are skipped.
    ///
    /// The cost follows the work in flight, not the queue (docs/SCALE.md): in one transaction,
    /// (1) a short walk of the queue per family, in claim order, past addresses at their cap,
    /// locks a window of candidates; (2) the claim takes the advisory lock of each of their
    /// addresses, skipping those another claim holds; (3) counts those addresses' leased tasks
    /// in a statement that starts after the locks are held, so every earlier claim on them is
    /// seen; (4) ``ClaimAdmission`` decides and the admitted tasks are leased. Releases need no
    /// bookkeeping: the count is the tasks' own.
    public func claimTasks(agentID: String, families: [AddressFamily], limit: Int,
                           leaseSeconds: Double, perAddress: Int = 4) throws -> [TaskAssignment] {
        guard limit > 0 else { return [] }
        let admission = ClaimAdmission(perAddress: perAddress, limit: limit)
        let rows = try database.transaction { connection -> [Row] in
            let candidates = try Self.claimCandidates(on: connection, families: families, limit: limit, perAddress: perAddress)
            let addresses = Set(candidates.compactMap(\.address)).sorted()
            var locked: Set<String> = []
            var leased: [String: Int] = [:]
            if !addresses.isEmpty {
                locked = Set(try connection.query("""
                    SELECT a AS address FROM unnest(\(array: addresses)::text[]) AS a
                    WHERE pg_try_advisory_xact_lock(\(Self.addressLockNamespace)::integer, hashtext(a))
                    """).rows.map { try $0.decode("address", as: String.self) })
            }
            if !locked.isEmpty {
                for row in try connection.query("""
                    SELECT address, count(*)::integer AS leased FROM tasks
                    WHERE state = 'leased' AND address = ANY(\(array: locked.sorted())::text[])
                    GROUP BY address
                    """).rows {
                    leased[try row.decode("address")] = try row.decode("leased", as: Int.self)
                }
            }
            let admitted = admission.admit(candidates, locked: locked, leased: leased)
            guard !admitted.isEmpty else { return [] }
            return try connection.query("""
                UPDATE tasks t
                SET state = 'leased', attempt = t.attempt + 1, leased_by = \(agentID),
                    lease_expires_at = now() + make_interval(secs => \(leaseSeconds)::float8)
                WHERE t.id = ANY(\(array: admitted)::bigint[]) AND t.state = 'queued'
                RETURNING t.id, t.attempt, t.measurement_id, t.kind, t.domain, t.web_host, t.family, t.target::text AS target
                """).rows
        }
        return try rows.map(Self.assignment).sorted { ($0.measurementID, $0.taskID) < ($1.measurementID, $1.taskID) }
    }

    /// Step (1) of a claim: up to `limit` queued tasks in claim order, locked (`FOR UPDATE SKIP
    /// LOCKED`), from a window of each family's queue that leaves out addresses already at
    /// `perAddress` and takes no more from an address than its free slots (both as this
    /// statement's snapshot sees them: step (3) has the last word).
    private static func claimCandidates(on connection: DatabaseConnection, families: [AddressFamily], limit: Int,
                                        perAddress: Int) throws -> [ClaimAdmission.Candidate] {
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
            ), ranked AS (
                SELECT w.id, w.measurement_id, w.address, COALESCE(b.leased, 0) AS leased,
                       row_number() OVER (PARTITION BY w.address ORDER BY w.measurement_id, w.id) AS rank
                FROM walk w LEFT JOIN busy b ON b.address = w.address
            )
            SELECT id, address FROM ranked
            WHERE address IS NULL OR leased + rank <= \(perAddress)::integer
            ORDER BY measurement_id, id LIMIT \(limit)::integer
            """).rows.map { row in
            ClaimAdmission.Candidate(taskID: try row.decode("id"), address: try row.decode("address", as: String?.self))
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
            webHost: try row.decode("web_host"), family: family, target: target)
    }
}
