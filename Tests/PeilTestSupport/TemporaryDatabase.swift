import Foundation
import Store
import XCTest

/// A fresh database `<prefix>_<random>` on the server of `PEIL_DATABASE_URL` (default: the
/// `ops/pg` cluster as its owner role), migrated with the bundled migrations; `drop()` removes
/// it. The tests connect as the owner (they create databases); when the server has the
/// run-time role (`ops/pg` makes it), the database grants it access and
/// ``runtimeConnectionString`` connects as it.
public final class TemporaryDatabase: @unchecked Sendable {
    /// The server the tests use: `PEIL_DATABASE_URL`, else the `ops/pg` cluster of this checkout
    /// as the owner role, with the cluster's password file when it has one.
    public static var serverConnectionString: String {
        if let explicit = ProcessInfo.processInfo.environment[Database.environmentVariable], !explicit.isEmpty {
            return explicit
        }
        let passfile = TestPaths.inRepository("var/pg/secrets/owner.pgpass").path
        return "host=127.0.0.1 port=55432 dbname=peil user=peil"
            + (FileManager.default.fileExists(atPath: passfile) ? " passfile='\(passfile)'" : "")
    }

    public let name: String
    /// A connection string for this database as the owner (for `peil --database …` too).
    public let connectionString: String
    /// The same database as the run-time role (``DatabaseRoles/runtimeRole``); nil when the
    /// server has no such role (a cluster made before `ops/pg` made one).
    public let runtimeConnectionString: String?
    public private(set) var store: PeilStore?
    private let server: Database

    /// Creates the database and, unless `migrate` is false, migrates it. Throws `XCTSkip` when
    /// PostgreSQL is not reachable.
    public init(prefix: String = "peil_test", migrate: Bool = true) throws {
        try TestRequirements.require(.postgreSQL)
        server = try Database(connectionString: Self.serverConnectionString)
        name = prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        // An identifier cannot be a bound parameter; this name is ours, letters and digits only.
        try server.execute(SQLQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        connectionString = Self.serverConnectionString + " dbname=\(name)"
        if migrate { store = try PeilStore.open(connectionString: connectionString) }
        if try DatabaseRoles.exists(DatabaseRoles.runtimeRole, in: server) {
            try DatabaseRoles.grantRuntimeAccess(
                to: DatabaseRoles.runtimeRole, in: store?.database ?? Database(connectionString: connectionString))
            runtimeConnectionString = connectionString + " user=\(DatabaseRoles.runtimeRole)"
        } else {
            runtimeConnectionString = nil
        }
    }

    /// Closes the store and drops the database: `WITH (FORCE)`, which ends connections a test
    /// left open, but refuses to terminate an autovacuum worker busy in the database (SQLSTATE
    /// 42501, "must be a member of the role whose process is being terminated": a CI run failed
    /// so after a test's many updates); then a plain DROP, which stops such a worker by itself.
    /// A few tries, a fifth of a second apart.
    public func drop() throws {
        store = nil
        var lastError: (any Error)?
        for attempt in 0..<10 {
            if attempt > 0 { Thread.sleep(forTimeInterval: 0.2) }
            do {
                try server.execute(SQLQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
                return
            } catch {
                lastError = error
            }
            do {
                try server.execute(SQLQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name)"))
                return
            } catch {
                lastError = error
            }
        }
        throw lastError!
    }
}

/// Gives every test a ``TemporaryDatabase`` (in `store`) and drops it afterwards. When
/// PostgreSQL cannot be reached the test is skipped, saying so.
open class DatabaseTestCase: XCTestCase {
    public private(set) var store: PeilStore!
    public private(set) var temporaryDatabase: TemporaryDatabase?

    /// `--database …` for a `peil` process to use this test's database.
    public var databaseArguments: [String] { ["--database", temporaryDatabase?.connectionString ?? ""] }

    open override func setUpWithError() throws {
        try super.setUpWithError()
        let database = try TemporaryDatabase()
        temporaryDatabase = database
        store = try XCTUnwrap(database.store)
    }

    open override func tearDownWithError() throws {
        store = nil
        try temporaryDatabase?.drop()
        temporaryDatabase = nil
        try super.tearDownWithError()
    }
}
