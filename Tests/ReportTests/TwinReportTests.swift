import Foundation
import Lab
import PeilModel
import Report
import XCTest

/// A report of the full twin (2,466 domains, generated here, no lab) through the path a Peil
/// measurement takes: columns with evidence and DNS facts → ``ReportBuilder`` → files.
final class TwinReportTests: XCTestCase {
    func testFullTwinReport() throws {
        let input = try ReportFixtures.twinInput()
        let out = try ReportFixtures.scratch("twin")
        let started = ContinuousClock.now
        let report = ReportBuilder.build(input)
        let files = try ReportFiles.write(report, to: out)
        let elapsed = ContinuousClock.now - started
        print("full twin report: \(report.domains.count) domains, \(report.columns.count) columns, built and written in \(elapsed) → \(out.path)")

        XCTAssertEqual(report.domains.count, 2_466)
        XCTAssertEqual(report.columns.count, 20)
        XCTAssertEqual(files.map(\.lastPathComponent), ReportFiles.names)
        // The twin reproduces March 2021 for the primary set: no change in any column.
        for column in report.columns {
            let row = try XCTUnwrap(report.row(set: "primary", column: column.key))
            XCTAssertEqual(row.deltaPoints.map { Points.signed($0) }, "0.0 pp", column.key)
            XCTAssertEqual(row.criteriaPoints.map { Points.signed($0) }, "0.0 pp", "same rule set: no criteria change in \(column.key)")
        }
        XCTAssertTrue(report.attribution.available)
        let html = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        for section in HTMLReport.sections { XCTAssertTrue(html.contains("<section id=\"\(section)\">"), section) }
        // adoption: web + mail; layers: one per set; baseline: one per set; ipv6: one; suppliers: three kinds.
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, 2 + 2 + 2 + 1 + 3)
        XCTAssertFalse(html.contains("<script"), "no scripts")
        XCTAssertFalse(html.contains("src=\"http"), "no external assets")
        XCTAssertTrue(html.contains("<details><summary>failed</summary>"), "failed cells open their evidence")
    }

    /// The cloud mail provider `wolkmail.com` carries DANE failures, counted the same way the
    /// test counts them from the truth itself.
    func testSupplierViewFindsTheCloudMailProvider() throws {
        let input = try ReportFixtures.twinInput()
        let report = ReportBuilder.build(input)
        let group = try XCTUnwrap(report.suppliers.groups.first { $0.kind == .mail && $0.provider == "wolkmail.com" })
        let dane = group.failures["mail.dane"] ?? 0
        let total = report.suppliers.failuresByColumn["mail.dane"] ?? 0

        let truth = try ReportFixtures.twinTruth.get()
        let inSets = Set(input.sets.flatMap { set in set.members.filter { $0.value.testsMail }.keys })
        let expected = truth.filter { domain in
            inSets.contains(domain.domain) && domain.mail["dane"]?.status == .failed
                && !domain.facts.mx.isEmpty && domain.facts.mx.allSatisfy { $0.host.hasSuffix(".wolkmail.com") }
        }.count
        print("wolkmail.com: \(group.domains) domains, \(dane) of \(total) DANE failures (\(Points.percent(100 * Double(dane) / Double(max(total, 1)))))")
        XCTAssertGreaterThan(group.domains, 300)
        XCTAssertEqual(dane, expected)
        XCTAssertGreaterThan(dane, 0)
        XCTAssertEqual(report.suppliers.groups.first { $0.kind == .mail && $0.provider != "own domain" }?.provider, "wolkmail.com",
                       "the provider with the most mail failures")
        let dns = report.suppliers.groups.filter { $0.kind == .dns }.map(\.provider)
        XCTAssertTrue(dns.contains("rijksdns.nl"), "\(dns.prefix(5))")
        XCTAssertTrue(report.suppliers.groups.contains { $0.kind == .web && $0.provider.hasPrefix("shared ") })
    }
}
