import Foundation
import PeilModel
@testable import Report
import XCTest

/// `report.json` is written row by row (``JSONRows``); its bytes must be those of the whole
/// report encoded at once, whatever the rows hold.
final class ReportJSONTests: XCTestCase {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return encoder
    }

    /// Rows with hostile text, an empty row (empty cells and providers: the encoder's empty
    /// lines must stay empty), and a report without rows.
    func testRowByRowIsTheWholeEncodingByteForByte() throws {
        var report = HostileReport.report()
        XCTAssertFalse(report.domains.isEmpty)
        report.domains = DomainRows(Array(report.domains) + [DomainRow(domain: "empty.nl", sets: [], layer: nil, organisation: nil, cells: [:], providers: Providers())])
        for variant in [report, { var none = report; none.domains = []; return none }(), { var one = report; one.domains = [report.domains.last!]; return one }()] {
            let whole = try Self.encoder.encode(variant)
            XCTAssertEqual(String(decoding: try JSONRows.encode(variant, encoder: Self.encoder), as: UTF8.self), String(decoding: whole, as: UTF8.self))
            let out = try ReportFixtures.scratch("report-json")
            try ReportFiles.write(variant, to: out)
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("report.json")), whole)
            let left = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix(".") }
            XCTAssertEqual(left, [], "temporary files left behind")
        }
    }

    /// A file that cannot be written leaves the one in place as it was, and no temporary file.
    func testAFailedWriteLeavesTheOldFile() throws {
        let out = try ReportFixtures.scratch("report-json-failed")
        let url = out.appendingPathComponent("report.json")
        try Data("old".utf8).write(to: url)
        struct Refused: Error {}
        XCTAssertThrowsError(try ReportFiles.writeAtomically(to: url) { handle in
            try handle.write(contentsOf: Data("half".utf8))
            throw Refused()
        })
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "old")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), ["report.json"])
    }
}
