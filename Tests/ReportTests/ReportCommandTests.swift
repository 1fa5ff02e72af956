import Foundation
import PeilTestSupport
import XCTest

/// `peil import-results`, `peil report` and `peil compare` as an operator runs them.
final class ReportCommandTests: DatabaseTestCase {
    func testImportReportAndCompareFromTheCommandLine() throws {
        let out = try ReportFixtures.scratch("command")
        let bad = out.appendingPathComponent("web.csv")
        try (ImportRefusalTests.header + "\nwww.a.nl,rijk,no,passed\nwww.b.nl,rijk,no,passed,passed,passed,passed,passed,passed,passed,groen\n")
            .write(to: bad, atomically: true, encoding: .utf8)
        let refused = try Self.peil(["import-results", "--measurement", "bad", "--date", "2021-03-31", bad.path] + databaseArguments)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.output.contains("web.csv:2: has 4 columns, expected 11"), refused.output)
        XCTAssertTrue(refused.output.contains("web.csv:3: ipv6_webserver: 'groen' is not a status word"), refused.output)
        let missing = try Self.peil(["import-results", "--measurement", "bad", "--date", "2021-03-31", out.appendingPathComponent("nothing.csv").path] + databaseArguments)
        XCTAssertTrue(missing.output.contains("no such file or folder"), missing.output)
        XCTAssertThrowsError(try store.measurementInfo("bad"), "nothing imported")

        let imported = try Self.peil(["import-results", "--measurement", "march-2021", "--date", "2021-03-31", ReportFixtures.primaryFolder.path] + databaseArguments)
        XCTAssertEqual(imported.status, 0, imported.output)
        XCTAssertTrue(imported.output.contains("553 web, 558 mail rows"), imported.output)

        let report = try Self.peil(["report", "--measurement", "march-2021", "--out", out.appendingPathComponent("report").path] + databaseArguments)
        XCTAssertEqual(report.status, 0, report.output)
        for name in ["index.html", "adoption.csv", "layers.csv", "domains.csv", "suppliers.csv", "report.json", "summary.md"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("report/\(name)").path), name)
        }
        let summary = try String(contentsOf: out.appendingPathComponent("report/summary.md"), encoding: .utf8)
        XCTAssertTrue(summary.contains("| HSTS | 83.4% (457/548) |"), summary)

        let compare = try Self.peil(["compare", "--measurements", "march-2021,march-2021", "--set", "primary"] + databaseArguments)
        XCTAssertEqual(compare.status, 0, compare.output)
        XCTAssertTrue(compare.output.contains("| DANE | 54.8% | 54.8% | 0.0 pp |"), compare.output)
    }

    /// Runs the `peil` built beside the test bundle; output and errors together.
    static func peil(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try TestRequirements.require(.peilBinary)
        let result = try TestProcess.run(try XCTUnwrap(TestProcess.peil), arguments, mergeErrors: true)
        XCTAssertFalse(result.timedOut, "peil \(arguments.joined(separator: " ")) did not finish")
        return (result.status, result.standardOutput)
    }
}
