import ArgumentParser
import Store

/// `--database`: where PostgreSQL is. Default: $PEIL_DATABASE_URL, else the local cluster of
/// `ops/pg` as the run-time role. The schema comes from the migrations compiled into `peil`:
/// connected as the database's owner, a command applies missing ones; as the run-time role it
/// refuses and names `peil db migrate`.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database"), help: "libpq connection string or URL (default: $PEIL_DATABASE_URL, else the local ops/pg cluster). Passwords belong in a passfile (passfile=FILE or PGPASSFILE), not here.")
    var url: String?

    @Option(name: .customLong("statement-timeout"), help: "Seconds one SQL statement may run before PostgreSQL cancels it.")
    var statementTimeoutSeconds: Double = Double(Database.defaultStatementTimeout.components.seconds)

    var statementTimeout: Duration { .milliseconds(Int64((statementTimeoutSeconds * 1000).rounded())) }

    func validate() throws {
        guard statementTimeoutSeconds >= 0.001, statementTimeoutSeconds <= 86_400 else {
            throw ValidationError("--statement-timeout must be between 0.001 and 86400 seconds")
        }
    }

    /// Connects and makes sure the schema is current (see above).
    func open() throws -> PeilStore {
        try PeilStore.open(connectionString: url, statementTimeout: statementTimeout)
    }
}
