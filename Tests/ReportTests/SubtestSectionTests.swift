import Foundation
import PeilModel
@testable import Report
import XCTest

/// The report's per-domain subtest section and the subtests in `report.json`.
final class SubtestSectionTests: XCTestCase {
    func input(subtests: [SubtestID: StatusCell], peil: [PeilSubtestID: StatusCell] = [:], testsMail: Bool = true) -> ReportInput {
        let domain = MeasuredDomain(domain: "a.nl", web: ["hsts": StatusCell(.passed)], mail: ["dmarc": StatusCell(.failed)], subtests: subtests,
                                    peilSubtests: peil)
        let measurement = MeasurementInput(id: 1, name: "m", date: "2026-12-03", ruleSet: "internetnl-current", imported: false, domains: [domain])
        return ReportInput(measurement: measurement, sets: [ReportSet(name: "s", members: ["a.nl": SetMember(layer: nil, testsMail: testsMail)])])
    }

    func testEverySubtestWithLabelStatusAndEvidence() {
        let subtests: [SubtestID: StatusCell] = [
            .webHTTPSHTTPAvailable: StatusCell(.passed, "TLS on 198.18.16.1"),
            .webAppsecprivXFrameOptions: StatusCell(.info, "198.18.16.1: header-missing: X-Frame-Options"),
            .mailAuthDMARCPolicy: StatusCell(.failed, "a.nl: policy <none>"),
        ]
        let page = HTMLReport.render(ReportBuilder.build(input(subtests: subtests)))
        let section = page.components(separatedBy: "<section id=\"subtests\">")[1]
        XCTAssertTrue(section.contains("<b>a.nl</b> (1 failed, 1 info, 1 passed)"), section)
        XCTAssertTrue(section.contains("<td>web_appsecpriv</td><td>X-Frame-Options<br><code>web_appsecpriv_x_frame_options</code></td><td class=\"s-info\">info</td>"), section)
        XCTAssertTrue(section.contains("a.nl: policy &lt;none&gt;"), "evidence escaped")
        let https = try? XCTUnwrap(section.range(of: "HTTPS available")), frame = section.range(of: "X-Frame-Options<br>")
        XCTAssertLessThan(https!.lowerBound, frame!.lowerBound, "Internet.nl's order")
    }

    /// A set that does not ask for the mail test shows no mail subtests.
    func testOnlyTheTestsTheSetAsksFor() {
        let report = ReportBuilder.build(input(subtests: [.webHTTPSHTTPAvailable: StatusCell(.passed), .mailAuthDMARCExist: StatusCell(.passed)], testsMail: false))
        XCTAssertEqual(report.domains.first?.subtests.keys.sorted(), [.webHTTPSHTTPAvailable])
    }

    /// A report of more domains than `index.html` shows rows for: both per-domain sections say
    /// where the rows are instead of holding them; domains.csv and report.json are unchanged.
    func testAPageWithTooManyDomainsPointsToTheFilesThatHoldThem() throws {
        let report = ReportBuilder.build(input(subtests: [.mailAuthDMARCPolicy: StatusCell(.failed, "a.nl: policy <none>")]))
        func rendered(limit: Int) -> String {
            var page = ""
            HTMLReport.render(report, domainRowLimit: limit) { page += $0 }
            return page
        }
        let shown = HTMLReport.render(report), page = rendered(limit: 0)
        XCTAssertEqual(rendered(limit: 1), shown, "at the limit every row is shown")
        XCTAssertTrue(shown.contains("<table class=\"domains\">") && shown.contains("<details class=\"subtests\">"))
        XCTAssertFalse(page.contains("<table class=\"domains\">"))
        XCTAssertFalse(page.contains("<details class=\"subtests\">"))
        XCTAssertFalse(page.contains("policy &lt;none&gt;"), "no evidence of a domain")
        XCTAssertEqual(page.components(separatedBy: "This report has 1 domains, more than the 0 this page shows a row for").count, 3,
                       "one note in each of the two per-domain sections")
        for section in HTMLReport.sections { XCTAssertTrue(page.contains("<section id=\"\(section)\">"), section) }

        let all = try ReportFixtures.scratch("limit-all"), capped = try ReportFixtures.scratch("limit-capped")
        try ReportFiles.write(report, to: all)
        try ReportFiles.write(report, to: capped, htmlDomainRowLimit: 0)
        func file(_ folder: URL, _ name: String) throws -> String { try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) }
        XCTAssertEqual(try file(capped, "index.html"), page)
        for name in ["domains.csv", "report.json"] { XCTAssertEqual(try file(capped, name), try file(all, name), name) }
    }

    func testWithoutSubtestsTheSectionSaysWhy() {
        let page = HTMLReport.render(ReportBuilder.build(input(subtests: [:])))
        XCTAssertTrue(page.contains("<section id=\"subtests\"><h2>Every subtest per domain</h2><p>No subtests"), page)
    }

    func testReportJSONCarriesTheSubtests() throws {
        let row = try XCTUnwrap(ReportBuilder.build(input(subtests: [.webHTTPSTLSCAA: StatusCell(.warning, "not-found")])).domains.first)
        let data = try JSONEncoder().encode(row)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains(#""subtests":{"web_https_tls_caa":{"evidence":"not-found","status":"warning"}}"#)
                      || String(decoding: data, as: UTF8.self).contains(#""subtests":{"web_https_tls_caa":{"status":"warning","evidence":"not-found"}}"#))
        XCTAssertEqual(try JSONDecoder().decode(DomainRow.self, from: data), row)
        let bare = DomainRow(domain: "b.nl", sets: [], layer: nil, organisation: nil, cells: [:], providers: Providers())
        XCTAssertFalse(String(decoding: try JSONEncoder().encode(bare), as: UTF8.self).contains("subtests"), "no key without subtests")
    }

    /// Peil's own subtests follow Internet.nl's, marked `Peil`, and round-trip as `peil_subtests`.
    func testPeilsOwnSubtestsFollowMarked() throws {
        let built = ReportBuilder.build(input(subtests: [.mailAuthDMARCExist: StatusCell(.passed)],
                                              peil: [.mailTLSRPT: StatusCell(.info, "_smtp._tls.a.nl: no-record")]))
        let section = HTMLReport.render(built).components(separatedBy: "<section id=\"subtests\">")[1]
        XCTAssertTrue(section.contains("<td>Peil</td><td>TLS reporting (TLS-RPT, RFC 8460)<br><code>mail_tlsrpt</code></td><td class=\"s-info\">info</td>"), section)
        XCTAssertLessThan(try XCTUnwrap(section.range(of: "mail_auth_dmarc_exist")).lowerBound, try XCTUnwrap(section.range(of: "mail_tlsrpt")).lowerBound)
        let row = try XCTUnwrap(built.domains.first)
        let json = String(decoding: try JSONEncoder().encode(row), as: UTF8.self)
        XCTAssertTrue(json.contains(#""peil_subtests":{"mail_tlsrpt":{"#), json)
        XCTAssertEqual(try JSONDecoder().decode(DomainRow.self, from: Data(json.utf8)), row)
        let webOnly = ReportBuilder.build(input(subtests: [:], peil: [.mailTLSRPT: StatusCell(.passed)], testsMail: false))
        XCTAssertEqual(webOnly.domains.first?.peilSubtests, [:], "a set without the mail test shows no mail subtests")
    }
}
