import PeilModel
import Report
import XCTest

/// The change against a baseline, split into changed configurations and changed criteria.
final class AttributionTests: XCTestCase {
    static let set = ReportSet(name: "s", members: Dictionary(uniqueKeysWithValues: ["a.nl", "b.nl", "c.nl", "d.nl"].map {
        ($0, SetMember(layer: $0 == "d.nl" ? .gemeenten : .rijk))
    }))

    static func measurement(_ name: String, rules: String, imported: Bool = false, _ statuses: [String: Status]) -> MeasurementInput {
        MeasurementInput(id: nil, name: name, date: "2025-01-01", ruleSet: rules, imported: imported,
                         domains: statuses.map { MeasuredDomain(domain: $0.key, cells: ["mail.dane": StatusCell($0.value, "why")]) })
    }

    func testChangeIsConfigurationPlusCriteria() throws {
        // b fixed its configuration (config +25 pp); d is judged failed by the new rules only (criteria −25 pp).
        let baseline = Self.measurement("then", rules: "internetnl-2021", imported: true,
                                        ["a.nl": .passed, "b.nl": .failed, "c.nl": .failed, "d.nl": .passed])
        let now = Self.measurement("now", rules: "internetnl-current", ["a.nl": .passed, "b.nl": .passed, "c.nl": .failed, "d.nl": .failed])
        let nowUnderOldRules = Self.measurement("now", rules: "internetnl-2021", ["a.nl": .passed, "b.nl": .passed, "c.nl": .failed, "d.nl": .passed])
        let report = ReportBuilder.build(ReportInput(measurement: now, baseline: baseline, measurementUnderBaselineRules: nowUnderOldRules, sets: [Self.set]))
        let row = try XCTUnwrap(report.row(set: "s", column: "mail.dane"))
        XCTAssertEqual(row.baseline?.adoption, 50)
        XCTAssertEqual(row.current.adoption, 50)
        XCTAssertEqual(row.currentUnderBaselineRules?.adoption, 75)
        XCTAssertEqual(row.deltaPoints, 0)
        XCTAssertEqual(row.configurationPoints, 25)
        XCTAssertEqual(row.criteriaPoints, -25)
        XCTAssertEqual(row.cellsChangedByRules, 1)
        XCTAssertTrue(report.attribution.available)
        XCTAssertTrue(report.attribution.note.contains("internetnl-2021"), report.attribution.note)
        // Per layer: d.nl is the only gemeenten member, failed now and passed then.
        XCTAssertEqual(report.layers.first { $0.layerName == "gemeenten" }?.deltaPoints, -100)
        let csv = CSVReport.adoption(report)
        XCTAssertTrue(csv.contains(",50.00,0.00,75.00,25.00,-25.00,1,0,50.00\n"), csv)
    }

    func testAnImportedMeasurementCannotBeJudgedAgain() {
        let baseline = Self.measurement("then", rules: "internetnl-2021", imported: true, ["a.nl": .passed])
        let now = Self.measurement("now", rules: "internetnl-2021", imported: true, ["a.nl": .failed])
        let report = ReportBuilder.build(ReportInput(measurement: now, baseline: baseline, sets: [Self.set]))
        XCTAssertFalse(report.attribution.available)
        XCTAssertTrue(report.attribution.note.contains("imported"), report.attribution.note)
        XCTAssertEqual(report.row(set: "s", column: "mail.dane")?.deltaPoints, -100)
        XCTAssertNil(report.row(set: "s", column: "mail.dane")?.configurationPoints)
        XCTAssertTrue(HTMLReport.render(report).contains("No split into criteria and configuration"))
    }

    func testNewColumnsAppearWithoutReportChanges() {
        var now = Self.measurement("now", rules: "internetnl-current", ["a.nl": .passed])
        now.domains[0].cells["mail.ipv6_nameserver"] = StatusCell(.failed)
        now.domains[0].cells["web.ipv6_nameserver"] = StatusCell(.passed)
        now.domains[0].cells["mail.mta_sts"] = StatusCell(.info)
        let report = ReportBuilder.build(ReportInput(measurement: now, sets: [Self.set]))
        XCTAssertEqual(report.columns.map(\.key), ["web.ipv6_nameserver", "mail.dane", "mail.ipv6_nameserver", "mail.mta_sts"])
        XCTAssertEqual(report.row(set: "s", column: "mail.mta_sts")?.current.adoption, 100)
        XCTAssertTrue(CSVReport.domains(report).hasPrefix("domain,sets,layer,organisation,mail_provider,dns_provider,web_hosting,"
            + "web.ipv6_nameserver,mail.dane,mail.ipv6_nameserver,mail.mta_sts,formal_reaction\n"))
        XCTAssertTrue(HTMLReport.render(report).contains(">mta_sts<"))
    }
}
