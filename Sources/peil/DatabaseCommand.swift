import ArgumentParser
import Store

/// `peil db`: the schema, run by the database's owner.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage Peil's PostgreSQL schema (as the database's owner).",
        subcommands: [Migrate.self]
    )

    /// `peil db migrate`: applies the migrations compiled into `peil` and grants the run-time role.
    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply the migrations compiled into peil; with --grant, give the run-time role access.",
            discussion: """
                Connect as the database's owner (the role that may create tables). The coordinator and \
                the other commands then connect as the run-time role, which reads and writes Peil's \
                tables but cannot change the schema. For the ops/pg cluster:
                  peil db migrate --database "$(ops/pg owner-url)" --grant \(DatabaseRoles.runtimeRole)
                """
        )

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Grant this role what the run-time role needs (read and write Peil's tables, use its sequences; nothing more).")
        var grant: String?

        func run() throws {
            let connection = try Database(connectionString: database.url,
                                          statementTimeout: max(database.statementTimeout, Migrations.statementTimeout))
            // As a role that may not change the schema, this names the owner's connection to use.
            let applied = try Migrations.bringUpToDate(connection)
            for migration in applied {
                print("applied \(migration.version) \(migration.name)")
            }
            let versions = try Migrations.appliedVersions(in: connection)
            print("\(connection.target): schema version \(versions.last ?? 0)\(applied.isEmpty ? " (already current)" : "")")
            if let grant {
                try DatabaseRoles.grantRuntimeAccess(to: grant, in: connection)
                print("granted \(grant): read and write Peil's tables, use its sequences")
            }
        }
    }
}
