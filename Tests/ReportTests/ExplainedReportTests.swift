import Foundation
import PeilModel
import Report
import XCTest

/// The report's side of comply or explain and of tags, on hand-made inputs (no database).
final class ExplainedReportTests: XCTestCase {
    static func measurement(_ name: String, date: String) -> MeasurementInput {
        let cells: [String: Status] = ["a.nl": .failed, "b.nl": .failed, "c.nl": .passed, "d.nl": .failed]
        return MeasurementInput(id: nil, name: name, date: date, ruleSet: "internetnl-2021", imported: false,
                                domains: cells.map { MeasuredDomain(domain: $0.key, cells: ["mail.dane": StatusCell($0.value, "as seen")]) })
    }

    static let set = ReportSet(name: "mine", members: [
        "a.nl": SetMember(layer: .rijk, tags: ["agency": "BZK"]), "b.nl": SetMember(layer: .rijk, tags: ["agency": "BZK"]),
        "c.nl": SetMember(layer: .gemeenten, tags: ["agency": "Altena"]), "d.nl": SetMember(layer: nil),
    ])

    func testAnExplanationExpiresForLaterMeasurements() throws {
        let dane = BulkColumnID(.mail, "dane")
        let explanations = [
            Explanation(id: 1, domain: "a.nl", column: dane, text: "until summer", by: "BZK", recordedAt: "2021-04-01T09:00:00Z", until: "2021-06-30"),
            Explanation(id: 2, domain: "b.nl", column: dane, text: "too late", by: "BZK", recordedAt: "2021-10-02T09:00:00Z", until: nil),
            Explanation(id: 3, domain: "c.nl", column: dane, text: "passed anyway", by: "Altena", recordedAt: "2021-04-01T09:00:00Z", until: nil),
            Explanation(id: 4, domain: "d.nl", column: BulkColumnID(.web, "dane"), text: "another column", by: "x", recordedAt: "2021-04-01T09:00:00Z", until: nil),
        ]
        let input = ReportInput(measurement: Self.measurement("autumn", date: "2021-09-30"), baseline: Self.measurement("spring", date: "2021-03-31"),
                                sets: [Self.set], explanations: explanations, reportTime: "2021-10-01T00:00:00Z", sliceBy: "agency")
        let report = ReportBuilder.build(input)
        let row = try XCTUnwrap(report.row(set: "mine", column: "mail.dane"))
        XCTAssertEqual(row.baseline?.explainedFailures, 1, "a.nl's explanation holds on 2021-03-31; b.nl's was recorded after the report")
        XCTAssertEqual(row.current.explainedFailures, 0, "on 2021-09-30 a.nl's explanation has expired")
        XCTAssertEqual(row.baseline?.adoption ?? 0, 25, accuracy: 1e-9)
        XCTAssertEqual(row.baseline?.adoptionWithoutExplained ?? 0, 100.0 / 3, accuracy: 1e-9)
        XCTAssertEqual(row.current.adoptionWithoutExplained, row.current.adoption)
        XCTAssertNil(report.domains.first { $0.domain == "a.nl" }?.cells["mail.dane"]?.explanation)

        // Sliced by the agency tag: sorted values, members without it under `none`, last.
        let values = report.slices.filter { $0.column == "mail.dane" }.map(\.value)
        XCTAssertEqual(values, ["Altena", "BZK", "none"])
        let bzk = try XCTUnwrap(report.slices.first { $0.value == "BZK" && $0.column == "mail.dane" })
        XCTAssertEqual(bzk.members, 2)
        XCTAssertEqual(bzk.baseline?.explainedFailures, 1)
        XCTAssertEqual(bzk.current.count(.failed), 2)
        XCTAssertEqual(report.layers.filter { $0.column == "mail.dane" }.map(\.layerName), ["rijk", "gemeenten", "none"],
                       "the layer rows stay layers when slicing by a tag")

        // In the baseline's per-domain rendering an explained failure is failed*.
        let spring = ReportBuilder.build(ReportInput(measurement: Self.measurement("spring", date: "2021-03-31"), sets: [Self.set],
                                                     explanations: explanations, reportTime: "2021-10-01T00:00:00Z", sliceBy: "layer"))
        XCTAssertEqual(spring.domains.first { $0.domain == "a.nl" }?.cells["mail.dane"]?.explanation, "by BZK on 2021-04-01 (until 2021-06-30): until summer")
        XCTAssertTrue(CSVReport.domains(spring).contains("a.nl,mine,rijk,,,,,failed*,"))
        XCTAssertEqual(Set(spring.slices.map(\.value)), ["rijk", "gemeenten", "none"], "--by layer is the built-in slice")
    }

    /// A tag value and an explanation come from outside: they are escaped like every other value.
    func testHostileTagsAndExplanationsAreEscaped() {
        let value = "</td><script>alert(1)</script>|x,\"y\"\nz"
        let set = ReportSet(name: "mine", members: ["a.nl": SetMember(layer: nil, tags: ["agency": value])])
        let explanation = Explanation(id: 1, domain: "a.nl", column: BulkColumnID(.mail, "dane"), text: "<img src=x onerror=alert(2)>",
                                      by: "<b>me</b>", recordedAt: "2021-04-01T00:00:00Z", until: nil)
        let report = ReportBuilder.build(ReportInput(measurement: Self.measurement("m", date: "2021-03-31"), sets: [set],
                                                     explanations: [explanation], sliceBy: "agency"))
        let page = HTMLReport.render(report)
        for markup in ["<script", "<img", "<b>me"] { XCTAssertFalse(page.contains(markup), markup) }
        XCTAssertTrue(page.contains("&lt;img src=x onerror=alert(2)&gt;"), "the explanation is in the cell, escaped")
        let tables = MarkdownReport.sliceTables(report) + MarkdownReport.summary(report)
        XCTAssertFalse(tables.replacingOccurrences(of: "\\<", with: "").contains("<"), "no unescaped < in the Markdown")
        XCTAssertTrue(tables.contains("\\|x"), "the pipe is escaped, the row keeps its shape")
        let csv = CSVReport.slices(report)
        XCTAssertTrue(csv.contains("mine,agency,\"</td><script>alert(1)</script>|x,\"\"y\"\"\nz\",1,mail.dane,"), csv)
    }
}
