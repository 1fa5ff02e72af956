import Foundation
import Store
import XCTest

/// A fresh database `<prefix>_<random>` on the server of `PEIL_DATABASE_URL` (default: the
/// `ops/pg` cluster), migrated with the bundled migrations; `drop()` removes it.
public final class TemporaryDatabase: @unchecked Sendable {
    public let name: String
    /// A connection string for this database (for `peil --database …` too).
    public let connectionString: String
    public private(set) var store: PeilStore?
    private let server: Database

    /// Creates and migrates the database. Throws `XCTSkip` when PostgreSQL is not reachable.
    public init(prefix: String = "peil_test") throws {
        try TestRequirements.require(.postgreSQL)
        server = try Database(connectionString: Database.connectionString())
        name = prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        // An identifier cannot be a bound parameter; this name is ours, letters and digits only.
        try server.execute(SQLQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        connectionString = Database.connectionString() + " dbname=\(name)"
        store = try PeilStore.open(connectionString: connectionString)
    }

    /// Closes the store and drops the database.
    public func drop() throws {
        store = nil
        try server.execute(SQLQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
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
