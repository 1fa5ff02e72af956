import Foundation
import PeilTestSupport
import Store
import XCTest

/// The migrations in the binary are exactly the files of `Sources/Store/Migrations/` (no
/// database needed).
final class MigrationFileTests: XCTestCase {
    func testBundledMigrationsAreTheFilesOfTheMigrationsFolder() throws {
        let folder = TestPaths.inRepository("Sources/Store/Migrations")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        let files = try names.map { (name: $0, sql: try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)) }
        let fromFolder = try Migrations.ordered(files)
        let bundled = try Migrations.bundled()
        XCTAssertEqual(bundled, fromFolder, "every .sql file in Sources/Store/Migrations has a line in Migrations.embeddedFiles")
        XCTAssertEqual(bundled.first?.version, 1)
        XCTAssertEqual(bundled.map(\.version), Array(1...bundled.count), "numbered 1, 2, 3, … without gaps")
    }

    func testBadlyNamedOrDuplicateMigrationsAreRefused() {
        XCTAssertThrowsError(try Migrations.ordered([(name: "schema.sql", sql: "")]))
        XCTAssertThrowsError(try Migrations.ordered([(name: "0001_a.txt", sql: "")]))
        XCTAssertThrowsError(try Migrations.ordered([(name: "0001_a.sql", sql: ""), (name: "0001_b.sql", sql: "")]))
        XCTAssertEqual(try Migrations.ordered([(name: "0002_b.sql", sql: "2"), (name: "0001_a.sql", sql: "1")]).map(\.name), ["a", "b"])
    }
}
