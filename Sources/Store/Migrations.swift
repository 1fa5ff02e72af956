import Foundation

/// One numbered SQL file, e.g. `0001_sets_measurements_tasks.sql` (version 1).
public struct Migration: Sendable, Hashable {
    public var version: Int
    /// The file name without number and extension, e.g. `sets_measurements_tasks`.
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// The numbered SQL migrations of `Sources/Store/Migrations/`, compiled into the binary
/// (SwiftPM `.embedInCode`), and their application.
///
/// The schema only ever comes from the binary: no folder, environment variable or current
/// directory is read. Each migration runs in its own transaction and is recorded in
/// `schema_migrations`; applying is idempotent, and an advisory lock keeps coordinators that
/// start together from racing. Only the database's owner migrates (``DatabaseRoles``).
public enum Migrations {
    /// Key of the PostgreSQL advisory lock held while migrating.
    static let advisoryLockKey: Int64 = 0x5045_494C_4D49_4752 // "PEILMIGR"
    /// The statement timeout inside a migration's transaction (at least this, or the
    /// connection's own when longer): rewriting a large table takes longer than a query.
    public static let statementTimeout: Duration = .seconds(600)

    /// Every file of `Sources/Store/Migrations/` with its embedded bytes. SwiftPM names an
    /// embedded file after its name with the first digit and the dots replaced by `_`; a new
    /// migration gets a line here (a test checks that the folder and this list agree).
    static let embeddedFiles: [(name: String, bytes: [UInt8])] = [
        ("0001_sets_measurements_tasks.sql", PackageResources._001_sets_measurements_tasks_sql),
        ("0002_connect_tasks.sql", PackageResources._002_connect_tasks_sql),
        ("0003_imported_results.sql", PackageResources._003_imported_results_sql),
        ("0004_schedules.sql", PackageResources._004_schedules_sql),
        ("0005_explanations_tags.sql", PackageResources._005_explanations_tags_sql),
        ("0006_rescans.sql", PackageResources._006_rescans_sql),
        ("0007_rpki.sql", PackageResources._007_rpki_sql),
        ("0008_contact_lost.sql", PackageResources._008_contact_lost_sql),
        ("0009_claim_walk.sql", PackageResources._009_claim_walk_sql),
        ("0010_api_keys.sql", PackageResources._010_api_keys_sql),
        ("0011_sessions_claim_function.sql", PackageResources._011_sessions_claim_function_sql),
        ("0012_import_staging.sql", PackageResources._012_import_staging_sql),
        ("0013_reports_view.sql", PackageResources._013_reports_view_sql),
        ("0014_observations_lz4.sql", PackageResources._014_observations_lz4_sql),
        ("0015_observations_json.sql", PackageResources._015_observations_json_sql),
        ("0016_claim_planned_once.sql", PackageResources._016_claim_planned_once_sql),
        ("0017_claim_plan_settings.sql", PackageResources._017_claim_plan_settings_sql),
        ("0018_claim_walk_mark.sql", PackageResources._018_claim_walk_mark_sql),
        ("0019_tasks_autovacuum.sql", PackageResources._019_tasks_autovacuum_sql),
        ("0020_results_without_row_checks.sql", PackageResources._020_results_without_row_checks_sql),
        ("0021_task_keys.sql", PackageResources._021_task_keys_sql),
        ("0022_no_lease_expiry_index.sql", PackageResources._022_no_lease_expiry_index_sql),
        ("0023_task_counts_by_index.sql", PackageResources._023_task_counts_by_index_sql),
        ("0024_claim_counts_when_needed.sql", PackageResources._024_claim_counts_when_needed_sql),
        ("0025_tasks_done_without_index_entries.sql", PackageResources._025_tasks_done_without_index_entries_sql),
    ]

    /// The migrations compiled into this binary, ordered by number.
    /// - Throws: ``DatabaseError`` (`.migration`) for a badly named file or two files with one number.
    public static func bundled() throws -> [Migration] {
        try ordered(embeddedFiles.map { (name: $0.name, sql: String(decoding: $0.bytes, as: UTF8.self)) })
    }

    /// The migrations of `files` (`NNNN_name.sql` and its SQL), ordered by number.
    /// - Throws: ``DatabaseError`` (`.migration`) for a badly named file or two files with one number.
    public static func ordered(_ files: [(name: String, sql: String)]) throws -> [Migration] {
        var migrations: [Migration] = []
        for file in files {
            guard file.name.hasSuffix(".sql") else {
                throw DatabaseError(code: .migration, message: "migration file \(file.name) is not named NNNN_name.sql")
            }
            let parts = file.name.dropLast(4).split(separator: "_", maxSplits: 1)
            guard parts.count == 2, let version = Int(parts[0]), version > 0 else {
                throw DatabaseError(code: .migration, message: "migration file \(file.name) is not named NNNN_name.sql")
            }
            migrations.append(Migration(version: version, name: String(parts[1]), sql: file.sql))
        }
        migrations.sort { $0.version < $1.version }
        for (earlier, later) in zip(migrations, migrations.dropFirst()) where earlier.version == later.version {
            throw DatabaseError(code: .migration, message: "two migrations have number \(later.version): \(earlier.name), \(later.name)")
        }
        return migrations
    }

    /// The bundled migrations that `database` has not had yet (all of them for an empty one).
    public static func pendingBundled(in database: Database) throws -> [Migration] {
        let table = try database.query("""
            SELECT to_regclass('schema_migrations') IS NOT NULL AS tracked,
                   to_regclass('schema_migrations') IS NULL OR has_table_privilege('schema_migrations', 'SELECT') AS readable
            """).single()
        guard try table.decode("readable", as: Bool.self) else {
            let role = try DatabaseRoles.currentRole(database)
            throw DatabaseError(code: .migration, message: """
                role \(role) may not read Peil's tables in \(database.target): the database's owner grants it \
                with `peil db migrate --database <the owner's connection> --grant \(role)`
                """)
        }
        let applied = try table.decode("tracked", as: Bool.self) ? Set(appliedVersions(in: database)) : []
        return try bundled().filter { !applied.contains($0.version) }
    }

    /// Makes sure `database` has every bundled migration: applies them when the connected role
    /// may change the schema (the owner), and otherwise refuses, naming the command to run.
    /// - Returns: the migrations applied now.
    /// - Throws: ``DatabaseError`` (`.migration`) when migrations are missing and the role may
    ///   not apply them (the run-time role against a database nobody migrated yet).
    @discardableResult
    public static func bringUpToDate(_ database: Database) throws -> [Migration] {
        let pending = try pendingBundled(in: database)
        guard !pending.isEmpty else { return [] }
        guard try DatabaseRoles.mayChangeSchema(database) else {
            let role = try DatabaseRoles.currentRole(database)
            throw DatabaseError(code: .migration, message: """
                the database \(database.target) lacks migration\(pending.count == 1 ? "" : "s") \(pending.map { String($0.version) }.joined(separator: ", ")) \
                and role \(role) may not change its schema: run `peil db migrate --database <the owner's connection> --grant \(role)` first \
                (for the ops/pg cluster: peil db migrate --database "$(ops/pg owner-url)" --grant \(role))
                """)
        }
        return try apply(bundled(), to: database)
    }

    /// Applies the bundled migrations that `database` has not had yet.
    /// - Returns: the migrations applied now (empty when the schema was current).
    @discardableResult
    public static func applyBundled(to database: Database) throws -> [Migration] {
        try apply(bundled(), to: database)
    }

    /// Applies `migrations` in order, each in its own transaction, skipping those already recorded.
    /// - Returns: the migrations applied now.
    @discardableResult
    public static func apply(_ migrations: [Migration], to database: Database) throws -> [Migration] {
        let timeout = max(statementTimeout, database.statementTimeout).milliseconds
        try database.transaction { connection in
            try connection.executeScript(unsafeSQL: "SET LOCAL statement_timeout = \(timeout)")
            try connection.execute("SELECT pg_advisory_xact_lock(\(advisoryLockKey))")
            try connection.execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version     integer PRIMARY KEY,
                    name        text NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now()
                )
                """)
        }
        var applied: [Migration] = []
        for migration in migrations.sorted(by: { $0.version < $1.version }) {
            let ran = try database.transaction { connection -> Bool in
                try connection.executeScript(unsafeSQL: "SET LOCAL statement_timeout = \(timeout)")
                try connection.execute("SELECT pg_advisory_xact_lock(\(advisoryLockKey))")
                let done = try connection.query("SELECT 1 FROM schema_migrations WHERE version = \(migration.version)")
                guard done.rows.isEmpty else { return false }
                do {
                    try connection.executeScript(unsafeSQL: migration.sql)
                } catch var error as DatabaseError {
                    error.message = "migration \(migration.version) (\(migration.name)) failed: \(error.message)"
                    throw error
                }
                try connection.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))")
                return true
            }
            if ran { applied.append(migration) }
        }
        return applied
    }

    /// The versions `database` has applied, ascending.
    public static func appliedVersions(in database: Database) throws -> [Int] {
        try database.query("SELECT version FROM schema_migrations ORDER BY version").rows.map { try $0.decode("version") }
    }
}
