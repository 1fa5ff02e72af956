import PeilModel
import XCTest

/// Extra columns of an imported list become tags; explanations' rule and the column names of `peil explain`.
final class SetTagsTests: XCTestCase {
    func testTagNamesAreNormalised() {
        XCTAssertEqual(SetTags.name("Agency"), "agency")
        XCTAssertEqual(SetTags.name("Domain Type"), "domain_type")
        XCTAssertEqual(SetTags.name("  Supplier (hosting) "), "supplier_hosting")
        XCTAssertEqual(SetTags.name("contract-nr."), "contract_nr")
        XCTAssertEqual(SetTags.name("Provincie's"), "provincie_s")
        XCTAssertNil(SetTags.name(" -- "))
    }

    func testTaggedListKeepsEveryExtraColumn() throws {
        let text = """
            domain,Layer,Agency,Supplier (hosting),Contract
            a.nl,gemeenten,"Gemeente A, B en C",HostCo,2024-17
            b.nl,Provincies,Provincie Zeeland,,
            www.c.nl,,,HostCo,2023-01
            a.nl,,,OtherCo,
            """
        XCTAssertEqual(SeedList.format(ofHeader: "domain,Layer,Agency,Supplier (hosting),Contract"), .tagged)
        let entries = try SeedList.parse(text, fileName: "mine.csv")
        XCTAssertEqual(entries.map(\.domain.value), ["a.nl", "b.nl", "www.c.nl"])
        XCTAssertEqual(entries[0].tags, ["agency": "Gemeente A, B en C", "supplier_hosting": "HostCo", "contract": "2024-17"],
                       "the first value of a tag wins when a domain is listed twice")
        XCTAssertEqual(entries[0].layer, .gemeenten)
        XCTAssertEqual(entries[0].organisation, "Gemeente A, B en C")
        XCTAssertEqual(entries[1].tags, ["agency": "Provincie Zeeland"], "an empty value sets no tag")
        XCTAssertEqual(entries[1].layer, .provincies, "a broad domain type is a layer too")
        XCTAssertEqual(entries[2].tags, ["supplier_hosting": "HostCo", "contract": "2023-01"])
        XCTAssertNil(entries[2].layer)
    }

    func testTaggedListRefusals() {
        XCTAssertThrowsError(try SeedList.parse("domain,Supplier,supplier\na.nl,x,y\n", fileName: "twice.csv")) { error in
            XCTAssertEqual((error as? SeedListError)?.problems.map(\.description),
                           ["twice.csv:1: columns 'Supplier' and 'supplier' are both tag 'supplier'"])
        }
        XCTAssertThrowsError(try SeedList.parse("domain,layer,agency\na.nl,kabinet,x\nb.nl,rijk\n", fileName: "bad.csv")) { error in
            XCTAssertEqual((error as? SeedListError)?.problems.map(\.description),
                           ["bad.csv:2: unknown layer 'kabinet'", "bad.csv:3: has 2 columns, expected 3"])
        }
    }

    func testBroadListTagsItsAgency() throws {
        let entries = try SeedList.parse([try SeedData.file("broad-2021-03/domains.csv")])
        XCTAssertEqual(entries.count, 2403)
        XCTAssertTrue(entries.allSatisfy { Set($0.tags.keys).isSubset(of: ["agency"]) }, "Domain Type is the layer, not a tag")
        let one = try XCTUnwrap(entries.first { $0.domain.value == "aanbiedersmedicijnen.nl" })
        XCTAssertEqual(one.tags, ["agency": "Ministerie van Volksgezondheid, Welzijn en Sport"])
        XCTAssertEqual(one.organisation, one.tags["agency"])
        // Extra columns after the broad list's three are tags as well.
        let wider = try SeedList.parse("Domain Name,Domain Type,Agency,Provincie\nx.nl,Gemeenten,Gemeente X,Zeeland\n")
        XCTAssertEqual(wider.first?.tags, ["agency": "Gemeente X", "provincie": "Zeeland"])
        XCTAssertEqual(wider.first?.layer, .gemeenten)
    }

    func testWhenAnExplanationCounts() {
        func explanation(recorded: String, until: String?) -> Explanation {
            Explanation(id: 1, domain: "a.nl", column: BulkColumnID(.mail, "dane"), text: "t", by: "b", recordedAt: recorded, until: until)
        }
        let report = "2026-12-03T11:00:00Z"
        XCTAssertTrue(explanation(recorded: "2026-12-01T00:00:00Z", until: nil).counts(forMeasurementOn: "2021-03-31", reportTime: report),
                      "recorded after the measurement, it still explains it")
        XCTAssertTrue(explanation(recorded: report, until: "2021-03-31").counts(forMeasurementOn: "2021-03-31", reportTime: report),
                      "until is inclusive; recorded at report time counts")
        XCTAssertFalse(explanation(recorded: "2026-12-01T00:00:00Z", until: "2021-03-30").counts(forMeasurementOn: "2021-03-31", reportTime: report),
                       "expired the day before the measurement")
        XCTAssertFalse(explanation(recorded: "2026-12-03T11:00:01Z", until: nil).counts(forMeasurementOn: "2021-03-31", reportTime: report),
                       "recorded after the report was made")
    }

    func testColumnNamesForExplain() throws {
        XCTAssertEqual(try BulkColumns.column(named: "mail.dane"), BulkColumnID(.mail, "dane"))
        XCTAssertEqual(try BulkColumns.column(named: "HSTS"), BulkColumnID(.web, "hsts"))
        XCTAssertEqual(try BulkColumns.column(named: "web.ipv6_nameserver"), .webIPv6Nameserver)
        XCTAssertThrowsError(try BulkColumns.column(named: "ipv6_nameserver")) {
            XCTAssertEqual(String(describing: $0), "column 'ipv6_nameserver' is in both tests: say web.ipv6_nameserver or mail.ipv6_nameserver")
        }
        XCTAssertThrowsError(try BulkColumns.column(named: "web.dane")) { XCTAssertTrue(String(describing: $0).hasPrefix("unknown column 'web.dane'")) }
    }

    func testTallyCountsExplainedFailuresApart() {
        var tally = Tally([.passed, .passed, .warning, .failed, .notTested] as [Status])
        tally.add(StatusCell(.failed, explanation: "by x on 2026-12-03: reason"))
        tally.add(StatusCell(.passed, explanation: "ignored on a passed cell"))
        tally.add(.failed, explained: true)
        XCTAssertEqual(tally.count(.failed), 3)
        XCTAssertEqual(tally.explainedFailures, 2)
        XCTAssertEqual(tally.adoption ?? 0, 100 * 4 / 7, accuracy: 1e-9)
        XCTAssertEqual(tally.adoptionWithoutExplained ?? 0, 100 * 4 / 5, accuracy: 1e-9)
        XCTAssertNil(Tally(counts: [.failed: 1], explainedFailures: 1).adoptionWithoutExplained, "nothing left to judge")
    }
}
