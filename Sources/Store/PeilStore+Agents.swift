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

    /// Notes that the agent was heard from now.
    /// - Returns: false when no such agent is registered.
    @discardableResult
    public func touchAgent(id: String) throws -> Bool {
        try database.execute("UPDATE agents SET last_seen_at = now() WHERE id = \(id)") == 1
    }
}
