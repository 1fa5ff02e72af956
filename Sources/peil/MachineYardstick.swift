import Store

/// A fixed piece of CPU-bound work, timed, to tell a slow stretch of the machine from a slower
/// build: the same binary's figures on this kind of machine (a VM sharing its host) have moved by
/// half again within an hour with nothing else running (docs/SCALE.md, "Session 37").
///
/// The work is one statement on one PostgreSQL backend, hashing a million integers' text: no
/// table, no lock, no I/O, nothing that a bench run leaves behind changes it. PostgreSQL's
/// backends spend most of an ingest run's CPU, so it is their speed that is timed.
enum MachineYardstick {
    static let statement: SQLQuery = "SELECT sum(hashtext(g::text)) AS sum FROM generate_series(1, 1000000) AS g"

    /// The fastest of `runs` runs of ``statement`` on `database`, in milliseconds (the fastest,
    /// because a run can only be slowed by what else the machine does, never sped up).
    static func milliseconds(on database: Database, runs: Int = 3) throws -> Double {
        var fastest = Double.infinity
        for _ in 0..<max(1, runs) {
            let started = ContinuousClock.now
            _ = try database.query(statement)
            fastest = min(fastest, (ContinuousClock.now - started).seconds * 1000)
        }
        return fastest
    }
}
