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

    /// Connects (see ``Database/connectionString(explicit:environment:)``) and brings the schema
    /// up to date from the migrations folder (``Migrations/locate(environment:currentDirectory:executable:)``
    /// when not given).
    public static func open(connectionString: String? = nil, migrations: URL? = nil) throws -> PeilStore {
        guard let folder = migrations ?? Migrations.locate() else {
            throw DatabaseError(
                code: .migration,
                message: "cannot find \(Migrations.relativePath); set \(Migrations.environmentVariable)")
        }
        let database = try Database(connectionString: connectionString)
        try Migrations.apply(from: folder, to: database)
        return PeilStore(database: database)
    }
}

extension Row {
    /// A timestamp selected as `extract(epoch FROM …)`.
    func date(_ column: String) throws -> Date {
        Date(timeIntervalSince1970: try decode(column, as: Double.self))
    }
}
