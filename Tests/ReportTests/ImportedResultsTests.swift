import Foundation
import PeilModel
import PeilTestSupport
import Report
import Store
import XCTest

/// The March 2021 results imported into PostgreSQL and reported on reproduce the adoption the
/// CSV files give by the formula, per column and per layer, to one decimal.
final class ImportedResultsTests: DatabaseTestCase {
    func testImportedMarchResultsReproduceTheFormulaPerColumnAndLayer() throws {
        let files = try ReportFixtures.primaryFiles()
        let summary = try store.importResults(name: "march-2021", date: "2021-03-31", ruleSet: "internetnl-2021", set: "primary",
                                              entries: try SeedList.parse(files), rows: try PublishedResults.parse(files))
        XCTAssertEqual(summary.rows, 553 + 558)
        XCTAssertEqual(summary.set.domains, 558)

        // Read back the way `peil report` does: by name, rows and set from the store.
        let info = try store.measurementInfo("march-2021")
        XCTAssertTrue(info.imported)
        XCTAssertEqual(info.measuredOn, "2021-03-31")
        XCTAssertEqual(try store.measurementInfo(String(info.id)).name, "march-2021")
        let measurement = PublishedResults.measurement(try store.importedResults(measurementID: info.id), id: info.id, name: "march-2021",
                                                       date: info.measuredOn!, ruleSet: info.ruleSet!, sourceSet: info.sourceSet)
        let set = ReportSet(name: "primary", entries: try store.setMembers(name: "primary"))
        let report = ReportBuilder.build(ReportInput(measurement: measurement, sets: [set]))

        var checked = 0
        for file in files {
            let expected = Self.independentAdoption(file.text)
            let test = file.name.hasSuffix("web.csv") ? "web" : "mail"
            for ((layer, column), percent) in expected {
                let key = "\(test).\(column)"
                let tally = layer == nil ? report.row(set: "primary", column: key)?.current
                    : report.layers.first { $0.set == "primary" && $0.layerName == layer && $0.column == key }?.current
                XCTAssertEqual(tally?.adoption.map(Self.oneDecimal), percent.map(Self.oneDecimal), "\(key) \(layer ?? "all layers")")
                checked += 1
            }
        }
        XCTAssertEqual(checked, (8 + 12) * 7, "every column, overall and per layer of the six layers in the data")
        // Figures the government published (data/README.md).
        XCTAssertEqual(report.row(set: "primary", column: "web.hsts")?.current.adoption.map(Self.oneDecimal), "83.4")
        XCTAssertEqual(report.row(set: "primary", column: "mail.dane")?.current.adoption.map(Self.oneDecimal), "54.8")
    }

    func testImportingAgainReplacesAndAPeilNameIsNotTaken() throws {
        let files = try ReportFixtures.primaryFiles()
        let entries = try SeedList.parse(files), rows = try PublishedResults.parse(files)
        let first = try store.importResults(name: "march-2021", date: "2021-03-31", ruleSet: "internetnl-2021", set: "primary", entries: entries, rows: rows)
        let again = try store.importResults(name: "march-2021", date: "2021-03-31", ruleSet: "internetnl-2021", set: "primary", entries: entries, rows: rows)
        XCTAssertEqual(first.measurementID, again.measurementID)
        XCTAssertTrue(again.replaced)
        XCTAssertEqual(try store.importedResults(measurementID: again.measurementID).count, 553 + 558)
        XCTAssertNil(try store.latestMeasurementID(), "an imported measurement is not the latest Peil measurement")
        try store.database.execute("UPDATE measurements SET imported = false, name = 'peil-run' WHERE id = \(again.measurementID)")
        XCTAssertThrowsError(try store.importResults(name: "peil-run", date: "2021-03-31", ruleSet: "internetnl-2021", set: "primary",
                                                     entries: entries, rows: rows)) { error in
            XCTAssertEqual(error as? StoreError, .measurementNameTaken("peil-run"))
        }
        XCTAssertThrowsError(try store.measurementInfo("no-such-name")) { XCTAssertEqual($0 as? StoreError, .unknownMeasurementName("no-such-name")) }
    }

    /// Adoption per (layer or nil for all, column) from the CSV text, with nothing of Peil's:
    /// split on commas, count the words.
    static func independentAdoption(_ text: String) -> [(key: (String?, String), percent: Double?)] {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        var good: [String: Int] = [:], judged: [String: Int] = [:]
        for row in lines.dropFirst() {
            for index in 3..<header.count {
                for key in ["*|" + header[index], row[1] + "|" + header[index]] {
                    if ["passed", "warning", "info"].contains(row[index]) { good[key, default: 0] += 1; judged[key, default: 0] += 1 }
                    if row[index] == "failed" { judged[key, default: 0] += 1 }
                }
            }
        }
        let layers = ["*"] + Set(lines.dropFirst().map { $0[1] }).sorted()
        return layers.flatMap { layer in
            header[3...].map { column -> (key: (String?, String), percent: Double?) in
                let key = layer + "|" + column
                let percent = judged[key, default: 0] == 0 ? nil : 100 * Double(good[key, default: 0]) / Double(judged[key]!)
                return ((layer == "*" ? nil : layer, column), percent)
            }
        }
    }

    static func oneDecimal(_ value: Double) -> String { String(format: "%.1f", value) }
}
