import Foundation

/// The right to sweep expired leases (``PeilStore/expireLeases(maxAttempts:)``), held by one
/// coordinator at a time among all those on the database: a session-level advisory lock on a
/// connection used for nothing else. The holder keeps it while its connection lives; when its
/// process dies (or stops) the connection closes, PostgreSQL drops the lock, and the next
/// coordinator that asks takes it over.
public final class SweeperLock: Sendable {
    /// The lock's key, "PEILSWEP". A one-`bigint` advisory key (`objsubid` 1 in `pg_locks`)
    /// never meets the claims' two-`integer` address locks (`objsubid` 2).
    static let key: Int64 = 0x5045_494C_5357_4550
    private let database: Database

    /// `database`: a connection of the lock's own (``Database/newConnection()``); nothing else
    /// may run on it.
    public init(database: Database) {
        self.database = database
    }

    /// Whether this connection holds the lock now, taking it if nobody does: one
    /// `pg_try_advisory_lock` per call, never a wait. Asked again while it holds the lock, it
    /// only adds to the connection's count of it (all of which goes with the connection); a
    /// connection that broke and was made again has lost it and asks for it like any other.
    /// (`pg_locks` is not read: it takes every lock partition of the server, each sweep.)
    public func holds() throws -> Bool {
        try database.query("SELECT pg_try_advisory_lock(\(Self.key)::bigint) AS held").single().decode("held")
    }
}
