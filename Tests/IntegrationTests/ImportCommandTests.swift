import Foundation
import Store
import XCTest

/// `peil import` as an operator runs it: all or nothing, every bad line named.
final class ImportCommandTests: XCTestCase {
    func testImportWithThreeMalformedLinesIsRefusedNamingAllAndTheSetIsUnchanged() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("peil-import-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let server: Database
        do { server = try Database(connectionString: Database.connectionString()) } catch {
            return XCTFail("PostgreSQL is not reachable (\(error)); start it with `ops/pg start`")
        }
        let name = "peil_it_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        try server.execute(SQLQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        defer { _ = try? server.execute(SQLQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")) }
        let database = ["--database", Database.connectionString() + " dbname=\(name)"]

        let good = directory.appendingPathComponent("good.txt")
        try "# municipalities\nalmere.nl\nUTRECHT.nl.\nbünde.de\n".write(to: good, atomically: true, encoding: .utf8)
        let first = try TestProcess.run(["import", "--set", "mine", good.path] + database, directory: directory)
        XCTAssertEqual(first.status, 0, first.output)

        let bad = directory.appendingPathComponent("bad.txt")
        try "almere.nl\nexample..nl\nzwolle.nl\n-dash.nl\nnot a domain\ndelft.nl\n".write(to: bad, atomically: true, encoding: .utf8)
        let refused = try TestProcess.run(["import", "--set", "mine", bad.path] + database, directory: directory)
        XCTAssertNotEqual(refused.status, 0)
        for line in ["bad.txt:2:", "bad.txt:4:", "bad.txt:5:"] {
            XCTAssertTrue(refused.output.contains(line), "\(line) not named:\n\(refused.output)")
        }
        XCTAssertFalse(refused.output.contains("bad.txt:3:"), refused.output)

        let sets = try TestProcess.run(["sets"] + database, directory: directory)
        XCTAssertEqual(sets.status, 0, sets.output)
        XCTAssertTrue(sets.output.contains("mine"), sets.output)
        XCTAssertTrue(sets.output.contains("3 domains"), "the set must be unchanged:\n\(sets.output)")
        let names = try PeilStore.open(connectionString: database[1], migrations: Backbone.repository.appendingPathComponent("coordinator/migrations"))
            .database.query("SELECT name FROM domains ORDER BY name").rows.map { try $0.decode("name", as: String.self) }
        XCTAssertEqual(names, ["almere.nl", "utrecht.nl", "xn--bnde-0ra.de"])
    }
}
