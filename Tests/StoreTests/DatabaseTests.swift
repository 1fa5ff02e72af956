import Foundation
import PeilModel
import PeilTestSupport
import Store
import XCTest

final class DatabaseTests: StoreTestCase {
    func testMigrationsAreIdempotentAndRecorded() throws {
        // Every bundled migration (0001, 0002, 0003, …), each once.
        let versions = try Migrations.bundled().map(\.version)
        XCTAssertEqual(Array(versions.prefix(3)), [1, 2, 3])
        XCTAssertEqual(try Migrations.appliedVersions(in: store.database), versions)
        XCTAssertEqual(try Migrations.applyBundled(to: store.database), [], "second run applies nothing")
        XCTAssertEqual(try Migrations.applyBundled(to: store.database), [])
        XCTAssertEqual(try Migrations.appliedVersions(in: store.database), versions)
        XCTAssertEqual(try count("SELECT count(*) FROM information_schema.tables WHERE table_name = 'results'"), 1)
    }

    /// A `coordinator/migrations` folder in the current directory (where the schema used to be
    /// read from) is never executed: opening a store applies only the migrations in the binary.
    func testMigrationsInTheCurrentDirectoryAreNotRead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("peil-cwd-\(UUID().uuidString.prefix(8))")
        let planted = folder.appendingPathComponent("coordinator/migrations")
        try FileManager.default.createDirectory(at: planted, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "CREATE TABLE planted (id integer);".write(
            to: planted.appendingPathComponent("0900_planted.sql"), atomically: true, encoding: .utf8)
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(folder.path))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }

        let reopened = try PeilStore.open(connectionString: try XCTUnwrap(temporaryDatabase).connectionString)
        XCTAssertEqual(try Migrations.appliedVersions(in: reopened.database), try Migrations.bundled().map(\.version))
        XCTAssertEqual(try count("SELECT count(*) FROM information_schema.tables WHERE table_name = 'planted'"), 0)
    }

    func testValuesAreBoundNeverSpliced() throws {
        let hostile = "o'brien'); DROP TABLE sets; --"
        let row = try store.database.query("SELECT \(hostile)::text AS value, \(Optional<Int>.none)::int AS missing").single()
        XCTAssertEqual(try row.decode("value", as: String.self), hostile)
        XCTAssertNil(try row.decode("missing", as: Int?.self))

        // A quote or backslash followed by a combining mark is one `Character` with it: each
        // must still be escaped (the encoder works on UTF-8 bytes, not characters).
        let tricky = [#"a"b"#, #"c\d"#, "e,f", "{g}", "NULL", "", "\"\u{301}", "\\\u{301}\"", "ré \u{1F1F3}\u{1F1F1}"]
        let rows = try store.database.query("SELECT unnest(\(array: tricky)::text[]) AS v").rows
        XCTAssertEqual(try rows.map { try $0.decode("v", as: String.self) }, tricky)

        _ = try store.importSet(name: hostile, entries: try plainEntries("example.nl"))
        XCTAssertEqual(try store.listSets().map(\.name), [hostile])
    }

    /// A prepared statement is prepared once per session and run with each call's values; it
    /// outlives a rolled-back transaction, is prepared again on a new session after the old one
    /// was cut, and the session's count of them stays bounded.
    func testPreparedStatementsRunWithTheirValuesAndSurviveRollbackAndReconnect() throws {
        func preparedCount(_ connection: DatabaseConnection) throws -> Int {
            try connection.query("SELECT count(*)::integer AS n FROM pg_prepared_statements").single().decode("n")
        }
        let database = store.database
        try database.withConnection { connection in
            for value in ["a", "o'brien", ""] {
                let row = try connection.queryPrepared("SELECT \(value)::text AS value, length(\(value)::text) AS n").single()
                XCTAssertEqual(try row.decode("value", as: String.self), value)
                XCTAssertEqual(try row.decode("n", as: Int.self), value.count)
            }
            XCTAssertEqual(try preparedCount(connection), 1, "one text, prepared once")
        }
        XCTAssertThrowsError(try database.transaction { connection in
            _ = try connection.queryPrepared("SELECT \(1)::integer AS one")
            throw DatabaseError(code: .statement, message: "roll back")
        })
        try database.withConnection { connection in
            XCTAssertEqual(try connection.queryPrepared("SELECT \(2)::integer AS one").single().decode("one", as: Int.self), 2)
            XCTAssertEqual(try preparedCount(connection), 2, "kept across the rollback")
        }
        // The session is cut: the next use reconnects, and the statements are prepared afresh.
        let pid: Int = try database.query("SELECT pg_backend_pid() AS pid").single().decode("pid")
        let other = try database.newConnection()
        try other.execute("SELECT pg_terminate_backend(\(pid))")
        _ = try? database.query("SELECT 1")  // notices the cut
        try database.withConnection { connection in
            XCTAssertEqual(try connection.queryPrepared("SELECT \(3)::integer AS one").single().decode("one", as: Int.self), 3)
            XCTAssertEqual(try preparedCount(connection), 1)
            // Past the bound, all are dropped and the new one prepared: the count never exceeds it.
            for n in 0...DatabaseConnection.maximumPrepared {
                XCTAssertEqual(try connection.queryPrepared(SQLQuery(unsafeSQL: "SELECT $1::integer + \(n) AS v", binds: ["1"])).single()
                    .decode("v", as: Int.self), n + 1)
            }
            XCTAssertLessThanOrEqual(try preparedCount(connection), DatabaseConnection.maximumPrepared)
        }
    }

    func testErrorsCarrySQLStateAndMessage() throws {
        XCTAssertThrowsError(try store.database.execute("SELEC 1")) { error in
            let error = error as? DatabaseError
            XCTAssertEqual(error?.code, .statement)
            XCTAssertEqual(error?.sqlState, "42601")
            XCTAssertTrue(error?.description.contains("syntax error") ?? false, "\(String(describing: error))")
        }
        try store.database.execute("INSERT INTO domains (name) VALUES (\("dup.nl"))")
        XCTAssertThrowsError(try store.database.execute("INSERT INTO domains (name) VALUES (\("dup.nl"))")) { error in
            XCTAssertTrue((error as? DatabaseError)?.isUniqueViolation ?? false, "\(error)")
        }
        // A NUL, which PostgreSQL text cannot hold, is bound as the marker ␀ (StorableText).
        XCTAssertEqual(try store.database.query("SELECT \("a\u{0}b")::text AS t").single().decode("t", as: String.self), "a\u{2400}b")
        // The connection is still usable after the errors.
        XCTAssertEqual(try count("SELECT count(*) FROM domains"), 1)
    }

    func testTransactionRollsBackWhenTheBodyThrows() throws {
        struct Stop: Error {}
        XCTAssertThrowsError(try store.database.transaction { connection in
            try connection.execute("INSERT INTO domains (name) VALUES (\("gone.nl"))")
            throw Stop()
        })
        XCTAssertEqual(try count("SELECT count(*) FROM domains"), 0)
    }

    func testAgentsRegisterAndAreTouched() throws {
        try store.registerAgent(id: "agent-1", publicKey: "key-a", families: [.ipv4, .ipv6], concurrency: 8, version: "0.1.0")
        XCTAssertTrue(try store.touchAgent(id: "agent-1"))
        XCTAssertFalse(try store.touchAgent(id: "nobody"))
        try store.registerAgent(id: "agent-1", publicKey: "key-b", families: [.ipv6], concurrency: 4, version: "0.1.1")
        let row = try store.database.query("SELECT public_key, array_to_string(families, ',') AS families FROM agents").single()
        XCTAssertEqual(try row.decode("public_key", as: String.self), "key-b")
        XCTAssertEqual(try row.decode("families", as: String.self), "ipv6")
    }

    func testAgentsAreListedWithTheirLastContactAndTouchedTogether() throws {
        try store.registerAgent(id: "b", publicKey: "key-b", families: [.ipv4, .ipv6], concurrency: 8, version: "0.1.0")
        try store.registerAgent(id: "a", publicKey: "key-a", families: [.ipv6], concurrency: 2, version: "0.2.0")
        try store.database.execute("UPDATE agents SET last_seen_at = now() - interval '1 hour'")
        XCTAssertEqual(try store.touchAgents(ids: ["a", "nobody"]), 1)
        XCTAssertEqual(try store.touchAgents(ids: []), 0)
        let agents = try store.agents()
        XCTAssertEqual(agents.map(\.id), ["a", "b"])
        XCTAssertEqual(agents.map(\.families), [[.ipv6], [.ipv4, .ipv6]])
        XCTAssertEqual(agents.map(\.concurrency), [2, 8])
        XCTAssertEqual(agents.map(\.version), ["0.2.0", "0.1.0"])
        XCTAssertLessThan(agents[0].silenceSeconds, 60)
        XCTAssertEqual(agents[1].silenceSeconds, 3600, accuracy: 60)
        XCTAssertEqual(agents[1].lastSeenAt.timeIntervalSince(agents[0].lastSeenAt), -3600, accuracy: 60)
        XCTAssertLessThanOrEqual(agents[1].registeredAt.timeIntervalSince(Date()), 60)
    }
}

/// Connection set-up that needs no server.
final class DatabaseConnectionTests: XCTestCase {
    func testUnreachableServerIsAClearConnectionError() {
        XCTAssertThrowsError(try Database(connectionString: "host=127.0.0.1 port=1 dbname=peil user=peil connect_timeout=2")) { error in
            XCTAssertEqual((error as? DatabaseError)?.code, .connection)
            XCTAssertTrue("\(error)".contains("127.0.0.1"), "\(error)")
        }
    }

    func testConnectionStringPrecedence() {
        XCTAssertEqual(Database.connectionString(explicit: "host=x", environment: ["PEIL_DATABASE_URL": "host=y"]), "host=x")
        XCTAssertEqual(Database.connectionString(explicit: nil, environment: ["PEIL_DATABASE_URL": "host=y"]), "host=y")
        XCTAssertEqual(Database.connectionString(explicit: nil, environment: [:]), "host=127.0.0.1 port=55432 dbname=peil user=peil_runtime")
    }
}
