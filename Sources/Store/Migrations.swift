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

/// Finds, reads and applies the numbered SQL migrations in `coordinator/migrations/`.
///
/// Each migration runs in its own transaction and is recorded in `schema_migrations`; applying
/// is idempotent, and an advisory lock keeps coordinators that start together from racing.
public enum Migrations {
    /// The environment variable that names the migrations folder explicitly.
    public static let environmentVariable = "PEIL_MIGRATIONS"
    /// The folder's path relative to the repository (or install) root.
    public static let relativePath = "coordinator/migrations"
    /// Key of the PostgreSQL advisory lock held while migrating.
    static let advisoryLockKey: Int64 = 0x5045_494C_4D49_4752 // "PEILMIGR"

    /// The migrations folder: `PEIL_MIGRATIONS`, else `./coordinator/migrations`, else the first
    /// `coordinator/migrations` found walking up from the executable's directory. nil if none.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        executable: URL? = Bundle.main.executableURL
    ) -> URL? {
        let fileManager = FileManager.default
        func isFolder(_ url: URL) -> Bool {
            var isDirectory: ObjCBool = false
            return fileManager.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        if let explicit = environment[environmentVariable], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        let local = currentDirectory.appendingPathComponent(relativePath)
        if isFolder(local) { return local }
        guard var directory = executable?.resolvingSymlinksInPath().deletingLastPathComponent() else { return nil }
        while directory.path != "/" && !directory.path.isEmpty {
            let candidate = directory.appendingPathComponent(relativePath)
            if isFolder(candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    /// Reads every `NNNN_name.sql` in `directory`, ordered by number.
    /// - Throws: ``DatabaseError`` (`.migration`) for an unreadable folder, a badly named file
    ///   or two files with one number.
    public static func load(from directory: URL) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw DatabaseError(code: .migration, message: "cannot read migrations folder \(directory.path): \(error.localizedDescription)")
        }
        var migrations: [Migration] = []
        for file in names.sorted() where file.hasSuffix(".sql") {
            let stem = file.dropLast(4)
            let parts = stem.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, let version = Int(parts[0]), version > 0 else {
                throw DatabaseError(code: .migration, message: "migration file \(file) is not named NNNN_name.sql")
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(version: version, name: String(parts[1]), sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (earlier, later) in zip(migrations, migrations.dropFirst()) where earlier.version == later.version {
            throw DatabaseError(code: .migration, message: "two migrations have number \(later.version): \(earlier.name), \(later.name)")
        }
        return migrations
    }

    /// Applies the migrations in `directory` that `database` has not had yet.
    /// - Returns: the migrations applied now (empty when the schema was current).
    @discardableResult
    public static func apply(from directory: URL, to database: Database) throws -> [Migration] {
        try apply(load(from: directory), to: database)
    }

    /// Applies `migrations` in order, each in its own transaction, skipping those already recorded.
    /// - Returns: the migrations applied now.
    @discardableResult
    public static func apply(_ migrations: [Migration], to database: Database) throws -> [Migration] {
        try database.transaction { connection in
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
