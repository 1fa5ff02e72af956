import Foundation
import Store
import XCTest

/// Gives every test a fresh database `peil_test_<random>` on the server of `PEIL_DATABASE_URL`
/// (default: the `ops/pg` cluster), migrated, and drops it afterwards, as StoreTestCase does.
/// When PostgreSQL cannot be reached the test fails, saying to run `ops/pg start`.
class ReportDatabaseTestCase: XCTestCase {
    private(set) var store: PeilStore!
    private var server: Database?
    private var databaseName = ""

    override func invokeTest() {
        do {
            server = try Database(connectionString: Database.connectionString())
        } catch {
            XCTFail("PostgreSQL is not reachable: \(error). Start the local cluster with `ops/pg start` "
                + "(or point \(Database.environmentVariable) at a server where you may create databases).")
            return
        }
        super.invokeTest()
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        let server = try XCTUnwrap(server)
        databaseName = "peil_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        // An identifier cannot be a bound parameter; this name is ours, letters and digits only.
        try server.execute(SQLQuery(unsafeSQL: "CREATE DATABASE \(databaseName)"))
        let database = try Database(connectionString: Database.connectionString(), database: databaseName)
        try Migrations.apply(from: ReportFixtures.repository.appendingPathComponent("coordinator/migrations"), to: database)
        store = PeilStore(database: database)
    }

    /// `--database …` for a `peil` process to use this test's database.
    var databaseArguments: [String] { ["--database", Database.connectionString() + " dbname=\(databaseName)"] }

    override func tearDownWithError() throws {
        store = nil
        if let server, !databaseName.isEmpty {
            try server.execute(SQLQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(databaseName) WITH (FORCE)"))
        }
        server = nil
        try super.tearDownWithError()
    }
}
