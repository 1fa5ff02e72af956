import Foundation
import PeilModel
import Store

/// Queued connect tasks made directly in SQL, for tests of the queue itself (claims, the
/// per-address cap): `reach` tasks of a new measurement on given addresses, host `h<n>.test`.
public enum SyntheticTasks {
    /// Creates a measurement and queues `count` reach tasks on each of `addresses`, interleaved
    /// (the n-th task of every address before the n+1-th of any).
    /// - Returns: the measurement's id.
    @discardableResult
    public static func queueReach(in store: PeilStore, addresses: [String], count: Int) throws -> Int64 {
        try store.database.transaction { connection in
            let measurement: Int64 = try connection.query(
                "INSERT INTO measurements (sets) VALUES ('{synthetic}') RETURNING id").single().decode("id")
            let families = addresses.map { ConnectTarget.family(of: $0).rawValue }
            let targets = try addresses.map { try SQLJSON(ConnectTarget(address: $0, family: ConnectTarget.family(of: $0), host: "h.test")).text }
            try connection.execute("""
                INSERT INTO tasks (measurement_id, kind, domain, web_host, family, address, endpoint_key, target)
                SELECT \(measurement)::bigint, 'reach', 'h' || n || '.test', 'h' || n || '.test', a.family, a.address,
                       a.address || '#' || n, a.target::jsonb
                FROM generate_series(1, \(count)::integer) AS n,
                     unnest(\(array: addresses)::text[], \(array: families)::text[], \(array: targets)::text[])
                         WITH ORDINALITY AS a(address, family, target, position)
                ORDER BY n, a.position
                """)
            return measurement
        }
    }

    /// The most leased tasks any one address has right now (0 when none is leased).
    public static func mostLeasedOnOneAddress(_ database: Database) throws -> Int {
        try database.query("""
            SELECT COALESCE(max(leased), 0)::integer AS most FROM (
                SELECT count(*) AS leased FROM tasks WHERE state = 'leased' AND address IS NOT NULL GROUP BY address
            ) AS per_address
            """).single().decode("most")
    }
}
