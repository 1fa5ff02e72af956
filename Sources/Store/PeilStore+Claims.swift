import Foundation
import PeilModel

extension PeilStore {
    /// Leases up to `limit` queued tasks to the agent session `session` of agent `agentID`
    /// (nil: the agent's name is its session, for callers with one session per agent): oldest
    /// measurement first, only tasks with no family or one of `families`, and no more than
    /// `perAddress` leased tasks per target address at once (politeness towards shared
    /// servers), across every coordinator on the database. Each claimed task's attempt goes up
    /// by one and its lease ends `leaseSeconds` from now; its `freeAttempts` are the task's
    /// `contact_lost`. Rows and addresses other claims hold are skipped.
    ///
    /// The cost follows the work in flight, not the queue (docs/SCALE.md). One statement, one
    /// round trip: the function `peil_claim_tasks` (migration 11; 16 counts by address; 24
    /// counts every lease only when it has to), in the statement's own transaction, (1) walks
    /// each family's queue in claim order, locks a window of candidate tasks and takes the
    /// advisory lock of each chosen candidate's address (`pg_try_advisory_xact_lock`: an
    /// address another claim holds is skipped, never waited for); (2) in a second statement,
    /// whose snapshot is taken after those locks were held and so sees every earlier claim on
    /// the addresses, counts their leased tasks (looked up by address), admits candidates up to
    /// the cap and leases them; (3) if a candidate was turned away at its cap, claims the rest
    /// of the limit counting every lease in flight first, its walk passing the addresses at
    /// their cap (and so does the connection's every claim for a second after). Releases need
    /// no bookkeeping: the count is the tasks' own.
    ///
    /// The claim's transaction commits without waiting for its WAL to be flushed
    /// (`synchronous_commit` off for it alone; docs/SCALE.md, "Claims"). Its leases are visible
    /// to every other session at once, so the cap is as exact as before; the WAL is written in
    /// order, so the COMMIT of any result of a claimed task (a result is ACKed only after it)
    /// makes the claim durable too. What a crash of the database can lose is the last claims
    /// whose tasks have no stored result yet: those tasks are queued again, as if never claimed,
    /// and an agent's result for one is refused as not leased.
    public func claimTasks(agentID: String, session: String? = nil, families: [AddressFamily], limit: Int,
                           leaseSeconds: Double, perAddress: Int = 4) throws -> [TaskAssignment] {
        guard limit > 0 else { return [] }
        // Outside any explicit transaction: the statement is its own, committed when it returns,
        // and the address locks are held until then.
        let rows = try database.query(Self.claimStatement(agentID: agentID, session: session, families: families, limit: limit,
                                                          leaseSeconds: leaseSeconds, perAddress: perAddress)).rows
        return try rows.map(Self.assignment).sorted { ($0.measurementID, $0.taskID) < ($1.measurementID, $1.taskID) }
    }

    /// The statement of ``claimTasks(agentID:session:families:limit:leaseSeconds:perAddress:)``:
    /// `peil_claim_tasks`, with `synchronous_commit` off for the transaction it runs in
    /// (`set_config(…, true)`).
    package static func claimStatement(agentID: String, session: String?, families: [AddressFamily], limit: Int,
                                       leaseSeconds: Double, perAddress: Int) -> SQLQuery {
        let ipv4 = families.contains(.ipv4) ? AddressFamily.ipv4.rawValue : nil
        let ipv6 = families.contains(.ipv6) ? AddressFamily.ipv6.rawValue : nil
        return """
            SELECT claimed.* FROM (SELECT set_config('synchronous_commit', 'off', true)) AS commit_without_flush,
                peil_claim_tasks(\(agentID), \(session ?? agentID), \(ipv4)::text, \(ipv6)::text, \(limit)::integer,
                                 \(leaseSeconds)::float8, \(perAddress)::integer) AS claimed
            """
    }

    /// A leased task's row as the agent is given it.
    private static func assignment(_ row: Row) throws -> TaskAssignment {
        let kindName: String = try row.decode("kind")
        guard let kind = TaskKind(rawValue: kindName) else {
            throw DatabaseError(code: .decoding, message: "task kind '\(kindName)' is unknown to this build")
        }
        let family = try row.decode("family", as: String?.self).flatMap(AddressFamily.init(rawValue:))
        let target = try row.decode("target", as: String?.self).map { text in
            do { return try StoredTarget.decode(text) } catch {
                throw DatabaseError(code: .decoding, message: "task target does not decode: \(error)")
            }
        }
        return TaskAssignment(
            taskID: try row.decode("id"), attempt: try row.decode("attempt"),
            measurementID: try row.decode("measurement_id"), kind: kind, domain: try row.decode("domain"),
            webHost: try row.decode("web_host"), family: family, target: target, freeAttempts: try row.decode("contact_lost"))
    }
}
