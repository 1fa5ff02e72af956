import Foundation
import PeilModel
import PeilTestSupport
import Store
import XCTest

/// The run-time role (`peil_runtime`, made by `ops/pg`) reads and writes Peil's tables and can
/// do nothing else; it never migrates. Skipped, saying so, on a server without that role.
final class RuntimeRoleTests: StoreTestCase {
    private func runtimeStore() throws -> PeilStore {
        guard let connection = temporaryDatabase?.runtimeConnectionString else {
            throw XCTSkip("needs the role \(DatabaseRoles.runtimeRole) on the server (ops/pg start makes it)")
        }
        return try PeilStore.open(connectionString: connection)
    }

    private func assertRefused(_ sql: String, in database: Database, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try database.execute(SQLQuery(unsafeSQL: sql)), sql, file: file, line: line) { error in
            XCTAssertTrue((error as? DatabaseError)?.isInsufficientPrivilege ?? false, "\(sql): \(error)", file: file, line: line)
        }
    }

    func testTheRuntimeRoleReadsAndWritesResults() throws {
        let runtime = try runtimeStore()
        XCTAssertEqual(try DatabaseRoles.currentRole(runtime.database), DatabaseRoles.runtimeRole)
        XCTAssertFalse(try DatabaseRoles.mayChangeSchema(runtime.database))
        _ = try runtime.importSet(name: "runtime", entries: try plainEntries("a.nl"))
        let id = try runtime.createMeasurement(sets: ["runtime"])
        let task = try XCTUnwrap(try runtime.claimTasks(agentID: "agent-1", families: [.ipv4], limit: 1, leaseSeconds: 60).first)
        XCTAssertEqual(try runtime.recordReport(completed(task), agentID: "agent-1", maxAttempts: 3), .stored)
        XCTAssertEqual(try runtime.resolutionResults(measurementID: id)["a.nl"]?.facts.domain, "a.nl")
        XCTAssertEqual(try count("SELECT count(*) FROM results"), 1, "the owner sees what the run-time role wrote")
    }

    func testTheRuntimeRoleCannotCreateCopyToProgramDropOrMigrate() throws {
        let database = try runtimeStore().database
        assertRefused("CREATE FUNCTION peil_evil() RETURNS int LANGUAGE sql AS 'SELECT 1'", in: database)
        assertRefused("CREATE FUNCTION pg_temp.peil_evil() RETURNS int LANGUAGE sql AS 'SELECT 1'", in: database)
        assertRefused("CREATE TABLE peil_evil (id int)", in: database)
        assertRefused("CREATE TEMPORARY TABLE peil_evil (id int)", in: database)
        assertRefused("COPY (SELECT 1) TO PROGRAM 'touch /tmp/peil-copy-program'", in: database)
        assertRefused("COPY results FROM PROGRAM 'true'", in: database)
        assertRefused("DROP TABLE results", in: database)
        assertRefused("TRUNCATE results", in: database)
        assertRefused("ALTER TABLE results ADD COLUMN evil text", in: database)
        assertRefused("INSERT INTO schema_migrations (version, name) VALUES (9999, 'evil')", in: database)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/peil-copy-program"))
        // Still usable after the refusals, and nothing changed.
        XCTAssertEqual(try database.query("SELECT count(*) AS count FROM results").single().decode("count", as: Int.self), 0)
        XCTAssertEqual(try Migrations.appliedVersions(in: store.database), try Migrations.bundled().map(\.version))
    }

    /// Against a database nobody migrated, the run-time role is told which command to run.
    func testTheRuntimeRoleOnAnUnmigratedDatabaseNamesTheCommand() throws {
        let empty = try TemporaryDatabase(prefix: "peil_empty", migrate: false)
        defer { try? empty.drop() }
        guard let connection = empty.runtimeConnectionString else {
            throw XCTSkip("needs the role \(DatabaseRoles.runtimeRole) on the server (ops/pg start makes it)")
        }
        XCTAssertThrowsError(try PeilStore.open(connectionString: connection)) { error in
            XCTAssertEqual((error as? DatabaseError)?.code, .migration, "\(error)")
            XCTAssertTrue("\(error)".contains("peil db migrate"), "\(error)")
            XCTAssertTrue("\(error)".contains(DatabaseRoles.runtimeRole), "\(error)")
        }
        // Nothing was created; the owner then migrates.
        let owner = try Database(connectionString: empty.connectionString)
        XCTAssertEqual(try Migrations.pendingBundled(in: owner).count, try Migrations.bundled().count)
        XCTAssertEqual(try Migrations.bringUpToDate(owner).count, try Migrations.bundled().count)
        try DatabaseRoles.grantRuntimeAccess(to: DatabaseRoles.runtimeRole, in: owner)
        XCTAssertNoThrow(try PeilStore.open(connectionString: connection))
    }
}

/// Every connection has a statement timeout: a statement that runs longer fails, saying so,
/// instead of hanging its caller.
final class StatementTimeoutTests: StoreTestCase {
    func testEveryConnectionHasTheDefaultTimeout() throws {
        XCTAssertEqual(store.database.statementTimeout, Database.defaultStatementTimeout)
        let setting: String = try store.database.query("SHOW statement_timeout").single().decode("statement_timeout")
        XCTAssertEqual(setting, "1min")
    }

    func testAStatementLongerThanTheTimeoutFailsClearly() throws {
        let database = try Database(connectionString: try XCTUnwrap(temporaryDatabase).connectionString, statementTimeout: .milliseconds(300))
        let started = ContinuousClock.now
        XCTAssertThrowsError(try database.query("SELECT pg_sleep(20)")) { error in
            let error = error as? DatabaseError
            XCTAssertTrue(error?.isStatementTimeout ?? false, "\(String(describing: error))")
            XCTAssertEqual(error?.sqlState, "57014")
            XCTAssertTrue(error?.description.contains("statement timeout of 0.3 s") ?? false, "\(String(describing: error))")
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5))
        // The connection goes on; a transaction with a slow statement is rolled back.
        XCTAssertThrowsError(try database.transaction { connection in
            try connection.execute("INSERT INTO domains (name) VALUES (\("slow.nl"))")
            try connection.execute("SELECT pg_sleep(20)")
        })
        XCTAssertEqual(try database.query("SELECT count(*) AS count FROM domains").single().decode("count", as: Int.self), 0)
    }

    /// Migrations run under a longer timeout of their own, inside their transactions only.
    func testMigrationsRunUnderTheirOwnLongerTimeout() throws {
        let database = try Database(connectionString: try XCTUnwrap(temporaryDatabase).connectionString, statementTimeout: .milliseconds(300))
        let inside = try Migrations.apply([Migration(version: 9000, name: "probe", sql: """
            CREATE TABLE timeout_probe AS SELECT current_setting('statement_timeout') AS setting FROM pg_sleep(0.5)
            """)], to: database)
        XCTAssertEqual(inside.map(\.version), [9000], "a 0.5 s migration step outlives the connection's 0.3 s")
        XCTAssertEqual(try database.query("SELECT setting FROM timeout_probe").single().decode("setting", as: String.self), "10min")
        XCTAssertEqual(try database.query("SHOW statement_timeout").single().decode("statement_timeout", as: String.self), "300ms")
    }
}
