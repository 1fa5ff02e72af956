import ArgumentParser
import Foundation
import Store

/// The work of `peil bench claim` for one queue size (see ``ClaimBenchCommand``).
struct ClaimBench {
    /// What one queue size gave.
    struct Figures: Codable {
        var queued: Int
        var mix: Mix
        var addresses: Int
        var claims: Int
        var limit: Int
        var inFlight: Int
        var perAddress: Int
        /// Tasks leased and completed before the queue, left in the table unvacuumed.
        var doneBefore: Int
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var maxMilliseconds: Double
        var meanMilliseconds: Double
        /// Temporary-file bytes PostgreSQL wrote in the database while the claims were timed.
        var tempBytes: Int64
        /// Buffer pages one claim touched (hit or read), mean: the claim's work, unaffected by
        /// how busy the machine is.
        var blocksPerClaim: Double
        var fillSeconds: Double

        var row: String {
            func pad(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(1, width - text.count)) + text }
            func ms(_ value: Double) -> String { String(format: "%.2f", value) }
            return pad(String(queued), 8) + pad(String(addresses), 13) + pad(String(claims), 8) + pad(ms(p50Milliseconds), 8)
                + pad(ms(p99Milliseconds), 8) + pad(ms(maxMilliseconds), 8) + pad(String(tempBytes), 12)
                + pad(String(format: "%.0f", blocksPerClaim), 8) + pad(String(format: "%.1f", fillSeconds), 8)
        }
    }

    /// The task kinds of the queue.
    enum Mix: String, ExpressibleByArgument, Codable {
        /// Reach tasks only (each with a family and an address).
        case reach
        /// The twin's measurements' mix (docs/SCALE.md "Ingest"): resolve tasks (no family, no
        /// address) 23 %, web 40 %, mail 11 %, reach 25 %, nameserver 1 %.
        case twin
    }

    /// The `sets` of the measurements the bench makes, and nothing else has.
    static let marker = "{peil-bench}"

    let store: PeilStore
    let limit: Int
    let inFlight: Int
    let perAddress: Int
    let mix: Mix
    /// Tasks leased and completed before the timed claims, per queued task (``age(first:)``).
    let doneRatio: Double

    /// Drops `tasks_queued_unfamilied` (the claim's walk over tasks without a family as before
    /// migration 11), or makes it again as migration 11 does.
    static func setUnfamiliedIndex(present: Bool, in database: Database) throws {
        try database.execute(present
            ? "CREATE INDEX IF NOT EXISTS tasks_queued_unfamilied ON tasks (measurement_id, id) WHERE state = 'queued' AND family IS NULL"
            : "DROP INDEX IF EXISTS tasks_queued_unfamilied")
    }

    /// Refuses a database that holds measurements other than the bench's own: the bench
    /// empties the queue.
    static func refuseUnlessScratch(_ database: Database) throws {
        let foreign: Int = try database.query(
            "SELECT count(*)::integer AS n FROM measurements WHERE sets <> \(marker)::text[]").single().decode("n")
        guard foreign == 0 else {
            throw BenchError("the database holds \(foreign) measurement(s) not made by the bench: give a scratch database (--database)")
        }
    }

    func run(size: Int, addresses: Int, claims: Int) throws -> Figures {
        let fillStarted = ContinuousClock.now
        let doneBefore = Int((Double(size) * doneRatio).rounded())
        try fill(size: size + doneBefore, addresses: addresses)
        try age(first: doneBefore)
        let fillSeconds = (ContinuousClock.now - fillStarted).seconds
        var leased: [Int64] = []
        var agent = 0
        func finishOldest() throws {
            guard leased.count > inFlight else { return }
            let finished = Array(leased.prefix(leased.count - inFlight))
            leased.removeFirst(finished.count)
            try store.database.execute("""
                UPDATE tasks SET state = 'done', leased_by = NULL, lease_expires_at = NULL, finished_at = now()
                WHERE id = ANY(\(array: finished)::bigint[])
                """)
        }
        func claim(finishing: Bool = true) throws -> Duration {
            agent += 1
            let started = ContinuousClock.now
            let tasks = try store.claimTasks(agentID: "bench-\(agent % 8)", families: [.ipv4, .ipv6], limit: limit,
                                             leaseSeconds: 3600, perAddress: perAddress)
            let took = ContinuousClock.now - started
            leased += tasks.map(\.taskID)
            if finishing { try finishOldest() }
            return took
        }
        var warmUps = 0
        while leased.count < inFlight && warmUps < inFlight { _ = try claim(); warmUps += 1 }
        var times: [Double] = []
        var temp: Int64 = 0
        var blocks: Int64 = 0
        for _ in 0..<claims {
            let before = try statistics()
            times.append(try claim(finishing: false).seconds * 1000)
            let after = try statistics()
            temp += after.tempBytes - before.tempBytes
            blocks += after.blocks - before.blocks
            try finishOldest()
        }
        times.sort()
        return Figures(queued: size, mix: mix, addresses: addresses, claims: claims, limit: limit, inFlight: inFlight, perAddress: perAddress,
                       doneBefore: doneBefore,
                       p50Milliseconds: nearestRank(times, 0.5), p99Milliseconds: nearestRank(times, 0.99), maxMilliseconds: times.last ?? 0,
                       meanMilliseconds: times.reduce(0, +) / Double(times.count), tempBytes: temp,
                       blocksPerClaim: Double(blocks) / Double(claims), fillSeconds: fillSeconds)
    }

    /// Empties the queue and queues `size` tasks of the mix in one measurement. A connect
    /// task's address has rank `floor(addresses ^ u)` for a uniform `u` (P(rank k) ≈
    /// ln(1 + 1/k) / ln(addresses), Zipf-like with exponent 1); one rank in eight is an IPv6
    /// address. With the twin's mix, task `n`'s kind follows `(37 n) mod 100` (every hundred
    /// tasks hold the mix), and a resolve task is a domain's (`b<n>.test`), without family or address.
    private func fill(size: Int, addresses: Int) throws {
        try store.database.execute("TRUNCATE measurements, tasks, task_links, observations, results CASCADE")
        try store.database.transaction { connection in
            let measurement: Int64 = try connection.query(
                "INSERT INTO measurements (sets) VALUES (\(Self.marker)::text[]) RETURNING id").single().decode("id")
            try connection.execute("""
                INSERT INTO domains (name)
                SELECT 'b' || n || '.test' FROM generate_series(1, \(size)::integer) AS n
                WHERE \(mix.rawValue)::text = 'twin' AND (37 * n) % 100 < 23
                ON CONFLICT (name) DO NOTHING
                """)
            try connection.execute("""
                INSERT INTO tasks (measurement_id, kind, domain_id, domain, web_host, family, address, endpoint_key, target)
                SELECT \(measurement)::bigint, kind, d.id, host, host,
                       CASE WHEN kind <> 'resolve' THEN family END, CASE WHEN kind <> 'resolve' THEN address END,
                       CASE WHEN kind <> 'resolve' THEN address || '#' || n END,
                       CASE WHEN kind <> 'resolve' THEN jsonb_build_object('address', address, 'family', family, 'host', host) END
                FROM (
                    SELECT n, 'b' || n || '.test' AS host,
                           CASE WHEN \(mix.rawValue)::text = 'reach' THEN 'reach' WHEN (37 * n) % 100 < 23 THEN 'resolve'
                                WHEN (37 * n) % 100 < 63 THEN 'web' WHEN (37 * n) % 100 < 74 THEN 'mail'
                                WHEN (37 * n) % 100 < 99 THEN 'reach' ELSE 'nameserver' END AS kind,
                           CASE WHEN rank % 8 = 0 THEN 'ipv6' ELSE 'ipv4' END AS family,
                           CASE WHEN rank % 8 = 0 THEN '2001:2::' || to_hex(rank)
                                ELSE '10.' || (rank >> 16) % 256 || '.' || (rank >> 8) % 256 || '.' || rank % 256 END AS address
                    FROM (SELECT n, least(\(addresses)::integer, floor(exp(random() * ln(\(addresses)::float8)))::integer) AS rank
                          FROM generate_series(1, \(size)::integer) AS n) AS drawn
                ) AS synthetic
                LEFT JOIN domains d ON synthetic.kind = 'resolve' AND d.name = synthetic.host
                """)
        }
        try store.database.execute("VACUUM ANALYZE tasks")
    }

    /// The table as a long measurement leaves it: the first `count` tasks (claim order) leased
    /// and then completed, each `UPDATE` a new row version with its index entries, and the
    /// table analyzed but not vacuumed, so the dead versions and the entries that point at
    /// them stay (docs/SCALE.md, "Session 27").
    private func age(first count: Int) throws {
        guard count > 0 else { return }
        let last: Int64 = try store.database.query("""
            SELECT max(id) AS last FROM (SELECT id FROM tasks ORDER BY measurement_id, id LIMIT \(count)::bigint) AS first
            """).single().decode("last")
        try store.database.execute("""
            UPDATE tasks SET state = 'leased', attempt = 1, leased_by = 'bench-aged', lease_session = 'bench-aged',
                             lease_expires_at = now() + interval '1 hour'
            WHERE id <= \(last)
            """)
        try store.database.execute("""
            UPDATE tasks SET state = 'done', leased_by = NULL, lease_expires_at = NULL, finished_at = now() WHERE id <= \(last)
            """)
        try store.database.execute("ANALYZE tasks")
    }

    /// The database's temporary-file bytes and buffer pages touched so far, with this
    /// session's own counts flushed.
    private func statistics() throws -> (tempBytes: Int64, blocks: Int64) {
        try store.database.execute("SELECT pg_stat_force_next_flush()")
        try store.database.execute("SELECT pg_stat_clear_snapshot()")
        let row = try store.database.query("""
            SELECT temp_bytes, blks_hit + blks_read AS blocks FROM pg_stat_database WHERE datname = current_database()
            """).single()
        return (try row.decode("temp_bytes"), try row.decode("blocks"))
    }
}

/// Why a benchmark would not run.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
