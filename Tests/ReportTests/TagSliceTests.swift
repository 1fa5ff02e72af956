import Foundation
import PeilModel
import PeilTestSupport
import XCTest

/// Tags from the command line: the broad list's Agency column becomes tag `agency`, and
/// `peil report --by Agency` and `peil compare --by agency` slice by it; expected figures are
/// computed here from the CSV files.
final class TagSliceTests: DatabaseTestCase {
    func testReportAndCompareByAgency() throws {
        let broadFile = ReportFixtures.seedData.appendingPathComponent("broad-2021-03/domains.csv")
        for arguments in [["import-results", "--measurement", "march-2021", "--date", "2021-03-31", ReportFixtures.primaryFolder.path],
                          ["import", "--set", "broad", broadFile.path]] {
            let result = try ReportCommandTests.peil(arguments + databaseArguments)
            XCTAssertEqual(result.status, 0, result.output)
        }

        // Agency per broad domain (the first line of a domain wins), DANE per primary mail domain.
        var agencies: [String: String] = [:]
        for line in try String(contentsOf: broadFile, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst() {
            let fields = try ReportFixtures.csvFields(String(line))
            let domain = fields[0].lowercased()
            if agencies[domain] == nil { agencies[domain] = fields[2].trimmingCharacters(in: .whitespaces) }  // values are kept trimmed
        }
        let dane = Dictionary(uniqueKeysWithValues: try ComplyOrExplainTests.mailRows().map { ($0.domain, $0.statuses["dane"] ?? "") })
        let measured = agencies.filter { dane[$0.key] != nil }
        let byAgency = Dictionary(grouping: measured.keys, by: { measured[$0]! })
        let agency = try XCTUnwrap(byAgency.max { ($0.value.count, $1.key) < ($1.value.count, $0.key) }?.key)
        let words = byAgency[agency]!.map { dane[$0]! }
        let adopted = words.filter { ["passed", "warning", "info"].contains($0) }.count
        let judged = adopted + words.filter { $0 == "failed" }.count
        let members = agencies.values.filter { $0 == agency }.count
        XCTAssertGreaterThan(judged, 5, "\(agency) has enough measured domains to say something")

        let tagged = agencies.values.filter { !$0.isEmpty }.count
        XCTAssertEqual(try store.listSets().first { $0.name == "broad" }?.tags, ["agency": tagged])
        let sets = try ReportCommandTests.peil(["sets"] + databaseArguments)
        XCTAssertTrue(sets.output.contains("2403 domains") && sets.output.contains("  tags: agency \(tagged)\n"), sets.output)

        let out = try ReportFixtures.scratch("by-agency")
        let report = try ReportCommandTests.peil(["report", "--measurement", "march-2021", "--compare", "broad", "--by", "Agency",
                                                  "--out", out.path] + databaseArguments)
        XCTAssertEqual(report.status, 0, report.output)
        let slices = try String(contentsOf: out.appendingPathComponent("slices.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        let header = try ReportFixtures.csvFields(slices[0])
        let rows = try slices.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, try ReportFixtures.csvFields($0))) }
        let row = try XCTUnwrap(rows.first { $0["value"] == agency && $0["column"] == "mail.dane" })
        XCTAssertEqual(row["set"], "broad")
        XCTAssertEqual(row["by"], "agency", "the header 'Agency' and '--by Agency' are both tag agency")
        XCTAssertEqual(row["members"], String(members))
        XCTAssertEqual(row["adopted"], String(adopted))
        XCTAssertEqual(row["judged"], String(judged))
        XCTAssertEqual(row["adoption"], String(format: "%.2f", 100 * Double(adopted) / Double(judged)))
        XCTAssertEqual(Set(rows.map { $0["value"]! }), Set(agencies.values), "every agency has its rows, measured or not")
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("<section id=\"slices\"><h2>Per agency</h2>"))

        let percent = String(format: "%.1f%%", (1000 * Double(adopted) / Double(judged)).rounded() / 10)
        let across = try ReportCommandTests.peil(["compare", "--measurements", "march-2021,march-2021", "--set", "broad", "--by", "agency"]
            + databaseArguments)
        XCTAssertEqual(across.status, 0, across.output)
        let line = try XCTUnwrap(across.output.split(separator: "\n").first { $0.hasPrefix("| \(agency) (\(members)) |") }, across.output)
        XCTAssertTrue(line.contains("| \(percent) → \(percent) |"), String(line))

        let sideBySide = try ReportCommandTests.peil(["compare", "--sets", "primary,broad", "--measurement", "march-2021", "--by", "agency",
                                                      "--format", "csv"] + databaseArguments)
        XCTAssertEqual(sideBySide.status, 0, sideBySide.output)
        let csvRows = sideBySide.output.split(separator: "\n")
        XCTAssertTrue(csvRows.contains { $0.hasPrefix("primary,agency,none,558,mail.dane,") }, "the primary set has no agency tag")
        XCTAssertTrue(csvRows.contains { $0.hasPrefix("broad,agency,") })

        let unknown = try ReportCommandTests.peil(["compare", "--sets", "primary,broad", "--measurement", "march-2021", "--by", "supplier"]
            + databaseArguments)
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.output.contains("no member of set primary, broad has tag 'supplier' (from 'supplier'); their tags are agency"), unknown.output)
    }

    func testReimportReplacesTags() throws {
        let folder = try ReportFixtures.scratch("tags-reimport")
        let first = folder.appendingPathComponent("mine.csv"), second = folder.appendingPathComponent("again.csv")
        try "domain,Supplier,Contract\na.nl,HostCo,17\nb.nl,OtherCo,\n".write(to: first, atomically: true, encoding: .utf8)
        try "domain,Province\na.nl,Zeeland\nb.nl,\n".write(to: second, atomically: true, encoding: .utf8)
        for file in [first, second] {
            let result = try ReportCommandTests.peil(["import", "--set", "mine", file.path] + databaseArguments)
            XCTAssertEqual(result.status, 0, result.output)
            let tags = try store.setMembers(name: "mine").map(\.tags)
            XCTAssertEqual(tags, file == first ? [["supplier": "HostCo", "contract": "17"], ["supplier": "OtherCo"]] : [["province": "Zeeland"], [:]])
        }
        // A refused file leaves the tags as they were.
        try "domain,Province\na.nl,Zeeland,extra\n".write(to: first, atomically: true, encoding: .utf8)
        let refused = try ReportCommandTests.peil(["import", "--set", "mine", first.path] + databaseArguments)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertEqual(try store.setMembers(name: "mine").map(\.tags), [["province": "Zeeland"], [:]])
    }
}
