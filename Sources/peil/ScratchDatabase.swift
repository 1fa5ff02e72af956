import Foundation
import Store

/// A database of its own for one benchmark run, `peil_bench_<random>` on the server of
/// `--database` (default `PEIL_DATABASE_URL`), made by the connecting role (which needs
/// CREATEDB: the `ops/pg` owner role has it), migrated, and dropped by ``drop()``.
final class ScratchDatabase {
    let name: String
    /// The server's connection string (the database name is given separately: ``connect(statementTimeout:)``).
    let server: String
    private let serverDatabase: Database

    init(server explicit: String?) throws {
        server = Database.connectionString(explicit: explicit)
        serverDatabase = try Database(connectionString: server)
        name = "peil_bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        // An identifier cannot be a bound parameter; this name is ours, letters and digits only.
        try serverDatabase.execute(SQLQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        do {
            _ = try Migrations.bringUpToDate(try connect())
        } catch {
            drop()
            throw error
        }
    }

    /// A new connection to the scratch database.
    func connect(statementTimeout: Duration = Database.defaultStatementTimeout) throws -> Database {
        try Database(connectionString: server, database: name, statementTimeout: statementTimeout)
    }

    /// The scratch database's connection string, for a child process (`--database`): the
    /// server's, with the database named last (libpq takes the last `dbname`; a URL gets it as
    /// a parameter).
    var connectionString: String {
        server.contains("://") ? server + (server.contains("?") ? "&" : "?") + "dbname=\(name)" : server + " dbname=\(name)"
    }

    /// Drops the database (ending connections left open); a failure is only reported.
    /// Tried up to five times a second apart. `WITH (FORCE)` refuses when a session the role
    /// may not end is on the database (an autovacuum worker, SQLSTATE 42501, which on a
    /// large scratch database can outlast the five seconds); a plain DROP then cancels the
    /// worker itself, once the bench's own connections are gone.
    func drop() {
        for attempt in 1...5 {
            do {
                try serverDatabase.execute(SQLQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
                return
            } catch {
                if (try? serverDatabase.execute(SQLQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name)"))) != nil { return }
                guard attempt == 5 else { Thread.sleep(forTimeInterval: 1); continue }
                FileHandle.standardError.write(Data("peil bench: could not drop the scratch database \(name): \(error)\n".utf8))
            }
        }
    }
}
