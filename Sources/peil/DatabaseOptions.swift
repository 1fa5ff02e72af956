import ArgumentParser
import Foundation
import Store

/// `--database` and `--migrations`: where PostgreSQL is and where its schema comes from.
/// Defaults: $PEIL_DATABASE_URL, else the local cluster of `ops/pg`; $PEIL_MIGRATIONS, else
/// `./coordinator/migrations`, else found beside the binary.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database"), help: "libpq connection string or URL (default: $PEIL_DATABASE_URL, else the local ops/pg cluster).")
    var url: String?

    @Option(help: "Migrations folder (default: $PEIL_MIGRATIONS, ./coordinator/migrations, or found beside the binary).")
    var migrations: String?

    /// Connects and brings the schema up to date.
    func open() throws -> PeilStore {
        try PeilStore.open(connectionString: url, migrations: migrations.map { URL(fileURLWithPath: $0) })
    }
}
