import Foundation

/// Peil's two PostgreSQL roles. The **owner** (`peil` on the `ops/pg` cluster) owns the
/// database and its tables and runs the migrations. The **run-time role** (`peil_runtime`),
/// which the coordinator and the other commands use, may read and write Peil's tables and use
/// its sequences, and nothing else: no CREATE on the schema (no tables, no functions), no
/// temporary objects, not superuser (no `COPY … PROGRAM`), not an owner (no DROP, no TRUNCATE),
/// and it cannot mark a migration as applied.
public enum DatabaseRoles {
    /// The run-time role `ops/pg` creates.
    public static let runtimeRole = "peil_runtime"

    /// Whether the connected role may create objects in its current schema (the owner may; the
    /// run-time role may not).
    public static func mayChangeSchema(_ database: Database) throws -> Bool {
        try database.query(
            "SELECT coalesce(has_schema_privilege(current_schema(), 'CREATE'), false) AS allowed"
        ).single().decode("allowed")
    }

    /// The role the connection runs as.
    public static func currentRole(_ database: Database) throws -> String {
        try database.query("SELECT current_user AS role").single().decode("role")
    }

    /// Whether `role` exists on the server.
    public static func exists(_ role: String, in database: Database) throws -> Bool {
        try !database.query("SELECT 1 FROM pg_roles WHERE rolname = \(role)").rows.isEmpty
    }

    /// Grants `role` what the run-time role needs on the connected database, run as its owner
    /// after migrating: CONNECT; USAGE on the schema; SELECT, INSERT, UPDATE, DELETE on every
    /// table and USAGE, SELECT on every sequence, now and (default privileges) for the tables
    /// later migrations make; only SELECT on `schema_migrations` (run it after migrating). It
    /// takes TEMPORARY (temporary tables and functions) and CREATE on the database and schema
    /// from PUBLIC.
    public static func grantRuntimeAccess(to role: String, in database: Database) throws {
        // Identifiers cannot be bound parameters: PostgreSQL quotes them (format's %I).
        let statements: [String] = try database.query("""
            SELECT format(template, current_database(), current_schema(), \(role)::text) AS statement
            FROM unnest(ARRAY[
                'REVOKE CREATE, TEMPORARY ON DATABASE %1$I FROM PUBLIC',
                'REVOKE CREATE ON SCHEMA %2$I FROM PUBLIC',
                'GRANT CONNECT ON DATABASE %1$I TO %3$I',
                'GRANT USAGE ON SCHEMA %2$I TO %3$I',
                'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %2$I TO %3$I',
                'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %2$I TO %3$I',
                'ALTER DEFAULT PRIVILEGES IN SCHEMA %2$I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %3$I',
                'ALTER DEFAULT PRIVILEGES IN SCHEMA %2$I GRANT USAGE, SELECT ON SEQUENCES TO %3$I',
                'REVOKE INSERT, UPDATE, DELETE ON TABLE %2$I.schema_migrations FROM %3$I'
            ]) WITH ORDINALITY AS t (template, position)
            WHERE template NOT LIKE '%schema_migrations%' OR to_regclass('schema_migrations') IS NOT NULL
            ORDER BY position
            """).rows.map { try $0.decode("statement") }
        try database.transaction { connection in
            for statement in statements {
                try connection.executeScript(unsafeSQL: statement)
            }
        }
    }
}
