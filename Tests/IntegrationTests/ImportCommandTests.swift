import Foundation
import PeilTestSupport
import Store
import XCTest

/// `peil import` as an operator runs it: all or nothing, every bad line named.
final class ImportCommandTests: DatabaseTestCase {
    func testImportWithThreeMalformedLinesIsRefusedNamingAllAndTheSetIsUnchanged() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("peil-import-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = databaseArguments

        let good = directory.appendingPathComponent("good.txt")
        try "# municipalities\nalmere.nl\nUTRECHT.nl.\nbünde.de\n".write(to: good, atomically: true, encoding: .utf8)
        let first = try PeilProcess.run(["import", "--set", "mine", good.path] + database, directory: directory)
        XCTAssertEqual(first.status, 0, first.output)

        let bad = directory.appendingPathComponent("bad.txt")
        try "almere.nl\nexample..nl\nzwolle.nl\n-dash.nl\nnot a domain\ndelft.nl\n".write(to: bad, atomically: true, encoding: .utf8)
        let refused = try PeilProcess.run(["import", "--set", "mine", bad.path] + database, directory: directory)
        XCTAssertNotEqual(refused.status, 0)
        for line in ["bad.txt:2:", "bad.txt:4:", "bad.txt:5:"] {
            XCTAssertTrue(refused.output.contains(line), "\(line) not named:\n\(refused.output)")
        }
        XCTAssertFalse(refused.output.contains("bad.txt:3:"), refused.output)

        let sets = try PeilProcess.run(["sets"] + database, directory: directory)
        XCTAssertEqual(sets.status, 0, sets.output)
        XCTAssertTrue(sets.output.contains("mine"), sets.output)
        XCTAssertTrue(sets.output.contains("3 domains"), "the set must be unchanged:\n\(sets.output)")
        let names = try store.database.query("SELECT name FROM domains ORDER BY name").rows.map { try $0.decode("name", as: String.self) }
        XCTAssertEqual(names, ["almere.nl", "utrecht.nl", "xn--bnde-0ra.de"])
    }
}
