import Foundation

/// What the TLS scans of one kind of connect task (`web`: port 443, `mail`: port 25 after
/// STARTTLS) cost in a measurement, from the stored results: each scan's `handshakes` (hellos
/// and OpenSSL handshakes, retries and renegotiations included) and `connections` (TCP
/// connections it opened; nil in observations stored before agents counted them). The HTTP
/// exchanges of a `web` task (`GET /` over HTTPS and HTTP, security.txt) are not included.
public struct ScanCost: Sendable, Hashable, CustomStringConvertible {
    public var kind: String
    /// Tasks of the kind with a result (one per endpoint).
    public var endpoints: Int
    /// Of which the scan completed.
    public var completed: Int
    /// Handshakes of every scan of the kind.
    public var handshakes: Int
    /// TCP connections of every scan that counted them.
    public var connections: Int
    /// Per completed scan: mean, median, 90th percentile and most handshakes.
    public var meanPerCompleted: Double
    public var medianPerCompleted: Int
    public var p90PerCompleted: Int
    public var maxPerCompleted: Int
    /// Completed scans that took the server-wide parameters of an earlier scan of the same
    /// address and port (shared hosting: `TLSScanResult.serverScanReused`).
    public var reused: Int = 0

    public var description: String {
        "\(kind) endpoints: \(endpoints) (\(completed) scans completed, \(reused) of them sharing an earlier host's server scan), "
            + "\(handshakes) handshakes, \(connections) TCP connections; "
            + "per completed scan: mean \(String(format: "%.1f", meanPerCompleted)), median \(medianPerCompleted), "
            + "p90 \(p90PerCompleted), max \(maxPerCompleted) handshakes"
    }
}

extension PeilStore {
    /// The TLS scan costs of a measurement's `web` and `mail` tasks (``ScanCost``), by kind.
    public func scanCosts(measurementID: Int64) throws -> [ScanCost] {
        try database.query("""
            WITH scans AS (
                SELECT r.kind, r.observation -> r.kind -> 'tls' AS tls
                FROM results r
                WHERE r.measurement_id = \(measurementID) AND r.kind IN ('web', 'mail')
            ), counted AS (
                SELECT kind, tls ->> 'outcome' = 'completed' AS completed, COALESCE((tls ->> 'handshakes')::int, 0) AS handshakes,
                       COALESCE((tls ->> 'connections')::int, 0) AS connections,
                       COALESCE((tls ->> 'serverScanReused')::boolean, false) AS reused
                FROM scans
            )
            SELECT kind, count(*) AS endpoints, count(*) FILTER (WHERE completed) AS completed,
                   sum(handshakes) AS handshakes, sum(connections) AS connections,
                   COALESCE(avg(handshakes) FILTER (WHERE completed), 0)::float8 AS mean,
                   COALESCE(percentile_disc(0.5) WITHIN GROUP (ORDER BY handshakes) FILTER (WHERE completed), 0) AS median,
                   COALESCE(percentile_disc(0.9) WITHIN GROUP (ORDER BY handshakes) FILTER (WHERE completed), 0) AS p90,
                   COALESCE(max(handshakes) FILTER (WHERE completed), 0) AS most,
                   count(*) FILTER (WHERE completed AND reused) AS reused
            FROM counted GROUP BY kind ORDER BY kind
            """).rows.map { row in
            ScanCost(kind: try row.decode("kind"), endpoints: try row.decode("endpoints"), completed: try row.decode("completed"),
                     handshakes: try row.decode("handshakes"), connections: try row.decode("connections"),
                     meanPerCompleted: try row.decode("mean"), medianPerCompleted: try row.decode("median"),
                     p90PerCompleted: try row.decode("p90"), maxPerCompleted: try row.decode("most"), reused: try row.decode("reused"))
        }
    }
}
