import PeilModel
import Report
import XCTest

/// `peil diff`'s pure parts: the change of one cell over every pair of status words, a diff of
/// two measurements, its formats, and the report's per-domain changes against a baseline.
final class DiffTests: XCTestCase {
    static let judged: [Status] = [.passed, .info, .warning, .failed]  // best first

    /// Every ordered pair of the ten words (and a missing cell on either side) by the rule in
    /// docs/REPORTS.md, written out independently of the classifier's code.
    func testEveryPairOfStatusesIsClassifiedByTheRule() {
        XCTAssertEqual(Status.allCases.count, 10)
        var seen: [CellChange: Int] = [:]
        for before in Status.allCases {
            for after in Status.allCases {
                let expected: CellChange
                if before == after {
                    expected = .unchanged
                } else if let from = Self.judged.firstIndex(of: before), let to = Self.judged.firstIndex(of: after) {
                    expected = to < from ? .improved : .regressed
                } else {
                    expected = .notComparable
                }
                let change = CellChange.classify(before: before, after: after)
                XCTAssertEqual(change, expected, "\(before.rawValue) → \(after.rawValue)")
                seen[expected, default: 0] += 1
            }
            XCTAssertEqual(CellChange.classify(before: before, after: nil), .gone, before.rawValue)
            XCTAssertEqual(CellChange.classify(before: nil, after: before), .new, before.rawValue)
        }
        XCTAssertNil(CellChange.classify(before: nil, after: nil))
        // 10 unchanged; 6 improving and 6 regressing pairs of the 4 judged words; the other 78 pairs.
        XCTAssertEqual(seen, [.unchanged: 10, .improved: 6, .regressed: 6, .notComparable: 78])
        // The examples, spelled out.
        XCTAssertEqual(CellChange.classify(before: .failed, after: .passed), .improved)
        XCTAssertEqual(CellChange.classify(before: .passed, after: .failed), .regressed)
        XCTAssertEqual(CellChange.classify(before: .passed, after: .error), .notComparable)
        XCTAssertEqual(CellChange.classify(before: .failed, after: .notTestable), .notComparable)
        XCTAssertEqual(CellChange.classify(before: .error, after: .passed), .notComparable)
        XCTAssertEqual(CellChange.classify(before: .passed, after: .warning), .regressed)
    }

    static func measurement(_ name: String, _ domains: [String: [String: Status]], imported: Bool = false) -> MeasurementInput {
        MeasurementInput(id: nil, name: name, date: "2026-12-03", ruleSet: "internetnl-current", imported: imported,
                         domains: domains.map { domain, cells in
                             MeasuredDomain(domain: domain, cells: cells.mapValues { StatusCell($0, "\(domain) says \($0.rawValue)") })
                         })
    }

    static let sets = [ReportSet(name: "lab", members: [
        "a.nl": SetMember(layer: .gemeenten), "b.nl": SetMember(layer: .rijk), "c.nl": SetMember(layer: .rijk),
        "mailonly.nl": SetMember(layer: .rijk, testsWeb: false), "new.nl": SetMember(layer: nil),
    ])]

    func testADiffFindsEachChangeWithBothSidesEvidenceAndOnlyTheSetsMembersAndTests() throws {
        let before = Self.measurement("one", [
            "a.nl": ["mail.dmarc_policy": .failed, "web.tls_ncsc": .passed],
            "b.nl": ["web.tls_ncsc": .passed, "web.hsts": .passed, "mail.dane": .noMX],
            "c.nl": ["web.tls_ncsc": .passed, "mail.spf": .passed],
            "mailonly.nl": ["web.tls_ncsc": .passed, "mail.spf": .passed],
            "outsider.nl": ["web.tls_ncsc": .passed],
        ])
        let after = Self.measurement("two", [
            "a.nl": ["mail.dmarc_policy": .passed, "web.tls_ncsc": .passed],
            "b.nl": ["web.tls_ncsc": .failed, "web.hsts": .error, "mail.dane": .noMX],
            "mailonly.nl": ["web.tls_ncsc": .failed, "mail.spf": .passed],
            "new.nl": ["web.tls_ncsc": .passed],
            "outsider.nl": ["web.tls_ncsc": .failed],
        ])
        let diff = MeasurementDiff.compare(before, after, sets: Self.sets)
        let changed = diff.cells.map { "\($0.change.rawValue) \($0.domain) \($0.column)" }
        XCTAssertEqual(changed, [
            "improved a.nl mail.dmarc_policy", "regressed b.nl web.tls_ncsc", "not_comparable b.nl web.hsts",
            "gone c.nl web.tls_ncsc", "gone c.nl mail.spf", "new new.nl web.tls_ncsc",
        ], "mailonly.nl's web test is not asked for; outsider.nl is in no set")
        XCTAssertEqual(diff.counts, [.improved: 1, .regressed: 1, .notComparable: 1, .gone: 2, .new: 1, .unchanged: 3])
        let regressed = try XCTUnwrap(diff.cells(.regressed).first)
        XCTAssertEqual(regressed.before, StatusCell(.passed, "b.nl says passed"))
        XCTAssertEqual(regressed.after, StatusCell(.failed, "b.nl says failed"))
        XCTAssertEqual(regressed.layer, "rijk")
        XCTAssertEqual(MeasurementDiff.compare(before, after, sets: Self.sets, includeUnchanged: true).cells.count, 9)

        let text = DiffFormats.text(diff)
        XCTAssertTrue(text.hasPrefix("one (2026-12-03, internetnl-current) → two (2026-12-03, internetnl-current); sets: lab\n"
            + "regressed 1, improved 1, not_comparable 1, new 1, gone 2, unchanged 3\n"), text)
        XCTAssertTrue(text.contains("\nchange          domain  column             before  after\n"
            + "regressed       b.nl    web.tls_ncsc       passed  failed\n    before: b.nl says passed\n    after: b.nl says failed\n"
            + "improved        a.nl    mail.dmarc_policy  failed  passed\n"), text)
        let csv = DiffFormats.csv(diff).split(separator: "\n")
        XCTAssertEqual(csv.first, "change,domain,layer,organisation,column,before,before_evidence,after,after_evidence")
        XCTAssertTrue(csv.contains("improved,a.nl,gemeenten,,mail.dmarc_policy,failed,a.nl says failed,passed,a.nl says passed"), "\(csv)")
        let decoded = try JSONDecoder().decode(MeasurementDiff.self, from: Data(try DiffFormats.json(diff).utf8))
        XCTAssertEqual(decoded, diff)
    }

    func testEvidenceWithControlCharactersIsShownSafelyOnATerminal() {
        let before = MeasurementInput(id: 1, name: "one", date: "2026-12-03", ruleSet: "internetnl-current", imported: false, domains: [
            MeasuredDomain(domain: "a.nl", cells: ["mail.dmarc": StatusCell(.passed, "v=DMARC1\u{0}\u{1B}[2J")]),
        ])
        var after = before
        after.domains[0].cells["mail.dmarc"] = StatusCell(.failed, "gone")
        let text = DiffFormats.text(MeasurementDiff.compare(before, after, sets: Self.sets))
        XCTAssertTrue(text.contains("before: v=DMARC1??[2J"), text)
        XCTAssertFalse(text.contains("\u{1B}"))
    }

    /// The report's baseline section: regressions first, by layer and by the supplier behind them.
    func testTheReportListsRegressionsByLayerAndSupplier() throws {
        let truth = try ReportFixtures.twinTruth.get()
        let baseline = ReportFixtures.twinMeasurement(truth)
        var current = baseline
        let sets = try ReportFixtures.sets()
        let primary = try XCTUnwrap(sets.first { $0.name == "primary" })
        // One web regression on a domain with a DNS provider, one mail improvement.
        let webIndex = try XCTUnwrap(current.domains.firstIndex {
            primary.members[$0.domain] != nil && $0.cells["web.tls_ncsc"]?.status == .passed && $0.facts?.nameservers.isEmpty == false
        })
        let mailIndex = try XCTUnwrap(current.domains.firstIndex {
            primary.members[$0.domain] != nil && $0.cells["mail.dmarc_policy"]?.status == .failed
        })
        current.domains[webIndex].cells["web.tls_ncsc"] = StatusCell(.failed, "certificate expired")
        current.domains[webIndex].cells["web.dnssec"] = StatusCell(.error, "timeout")
        current.domains[mailIndex].cells["mail.dmarc_policy"] = StatusCell(.passed, "p=reject")
        current.name = "now"
        let report = ReportBuilder.build(ReportInput(measurement: current, baseline: baseline, measurementUnderBaselineRules: current,
                                                     sets: [primary], organisationalDomain: ReportFixtures.organisationalDomain))
        let changes = try XCTUnwrap(report.changes)
        let broken = current.domains[webIndex].domain
        XCTAssertEqual(changes.regressions.map { "\($0.domain) \($0.column)" }, ["\(broken) web.tls_ncsc"])
        XCTAssertEqual(changes.counts["improved"], 1)
        XCTAssertEqual(changes.counts["not_comparable"], 1)
        XCTAssertEqual(changes.counts["regressed"], 1)
        let layer = primary.members[broken]?.layer?.rawValue ?? "none"
        XCTAssertTrue(changes.layers.contains { $0.layerName == layer && $0.regressed == 1 }, "\(changes.layers)")
        let row = try XCTUnwrap(report.domains.first { $0.domain == broken })
        if let web = row.providers.web {
            XCTAssertEqual(changes.suppliers.map { "\($0.kind.rawValue) \($0.provider) \($0.total)" }, ["web \(web) 1"],
                           "tls_ncsc is the web host's, not the DNS or mail provider's")
        } else {
            XCTAssertEqual(changes.suppliers, [])
        }
        let html = HTMLReport.render(report)
        let section = try XCTUnwrap(html.range(of: "Change against the baseline"))
        let regressionsAt = try XCTUnwrap(html.range(of: "Regressions per domain", range: section.upperBound..<html.endIndex))
        let chartsAt = try XCTUnwrap(html.range(of: "Adoption change per set", range: section.upperBound..<html.endIndex))
        XCTAssertLessThan(regressionsAt.lowerBound, chartsAt.lowerBound, "regressions come first")
        XCTAssertTrue(html.contains("<b>1 regressed</b>, 1 improved"), "counts")
        XCTAssertTrue(html.contains(broken) && html.contains("certificate expired"))
        XCTAssertTrue(MarkdownReport.summary(report).contains("Per domain: 1 cells regressed, 1 improved"))
        XCTAssertNil(ReportBuilder.build(ReportInput(measurement: current, sets: [primary])).changes, "no baseline, no changes")
    }

    /// The imported March 2021 results against the twin, which reproduces them cell for cell
    /// for the primary set: imported-vs-measured compares, and finds nothing changed.
    func testImportedAgainstMeasuredFindsTheTwinsReproductionUnchanged() throws {
        let march = try ReportFixtures.marchMeasurement()
        let twin = ReportFixtures.twinMeasurement(try ReportFixtures.twinTruth.get())
        let primary = try XCTUnwrap(try ReportFixtures.sets().first { $0.name == "primary" })
        let diff = MeasurementDiff.compare(march, twin, sets: [primary])
        XCTAssertGreaterThan(diff.counts[.unchanged] ?? 0, 1000)
        XCTAssertEqual(diff.cells.filter { $0.change != .new }.prefix(5).map { "\($0.change.rawValue) \($0.domain) \($0.column)" }, [])
        XCTAssertTrue(diff.before.imported)
    }
}
