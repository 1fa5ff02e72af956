import Foundation
import PeilModel

/// Peil's system of record in PostgreSQL: sets, measurements, the task queue with leases,
/// agents, raw observations and final results.
///
/// Every method is one transaction (or one statement), so several coordinators can share a
/// database. Calls block while PostgreSQL works; the class is safe to share between tasks.
public final class PeilStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Connects (see ``Database/connectionString(explicit:environment:)``) and makes sure the
    /// schema has the migrations compiled into the binary (``Migrations/bringUpToDate(_:)``):
    /// the database's owner applies missing ones; the run-time role gets an error naming
    /// `peil db migrate`.
    public static func open(connectionString: String? = nil,
                            statementTimeout: Duration = Database.defaultStatementTimeout) throws -> PeilStore {
        let database = try Database(connectionString: connectionString, statementTimeout: statementTimeout)
        try Migrations.bringUpToDate(database)
        return PeilStore(database: database)
    }
}

extension Row {
    /// A timestamp selected as `extract(epoch FROM …)`.
    func date(_ column: String) throws -> Date {
        Date(timeIntervalSince1970: try decode(column, as: Double.self))
    }
}
