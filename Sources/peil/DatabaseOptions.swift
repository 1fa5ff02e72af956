import ArgumentParser
import Store

/// `--database`: where PostgreSQL is. Default: $PEIL_DATABASE_URL, else the local cluster of
/// `ops/pg`. The schema comes from the migrations compiled into `peil`.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database"), help: "libpq connection string or URL (default: $PEIL_DATABASE_URL, else the local ops/pg cluster).")
    var url: String?

    /// Connects and brings the schema up to date.
    func open() throws -> PeilStore {
        try PeilStore.open(connectionString: url)
    }
}
