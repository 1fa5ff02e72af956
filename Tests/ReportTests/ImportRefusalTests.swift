import PeilModel
import PeilTestSupport
import Report
import Store
import XCTest

/// `peil import-results` refuses a bad file whole, naming every bad line as `file:line: why`.
final class ImportRefusalTests: DatabaseTestCase {
    static let header = "domain,layer,formal_reaction,dnssec,tls_available,tls_ncsc,https_redirect,hsts,ipv6_web,ipv6_nameserver,ipv6_webserver"

    func testEveryBadLineIsNamed() {
        let web = [
            Self.header,
            "www.goed.nl,rijk,no,passed,passed,passed,passed,passed,passed,passed,passed",
            "www.kort.nl,rijk,no,passed,passed",
            "www.woord.nl,gemeenten,no,passed,passed,geslaagd,passed,passed,passed,passed,passed",
            "www.laag.nl,ministeries,no,passed,passed,passed,passed,passed,passed,passed,passed",
            "www.goed.nl,rijk,no,passed,passed,passed,passed,passed,passed,passed,passed",
            "-fout-.nl,rijk,maybe,passed,passed,passed,passed,passed,passed,passed,passed",
        ].joined(separator: "\n")
        let mail = "domain,layer,formal_reaction,dmarc,dkim\nok.nl,rijk,no,passed,failed\n"
        XCTAssertThrowsError(try PublishedResults.parse([SeedFile(name: "web.csv", text: web), SeedFile(name: "mail.csv", text: mail)])) { error in
            let problems = (error as? SeedListError)?.problems.map(\.description) ?? []
            XCTAssertEqual(problems.count, 5, "\(problems)")
            XCTAssertEqual(problems[0], "web.csv:3: has 5 columns, expected 11")
            XCTAssertEqual(problems[1], "web.csv:4: tls_ncsc: 'geslaagd' is not a status word")
            XCTAssertEqual(problems[2], "web.csv:5: unknown layer 'ministeries'")
            XCTAssertEqual(problems[3], "web.csv:6: www.goed.nl is already on line 2")
            XCTAssertTrue(problems[4].hasPrefix("web.csv:7: bad domain '-fout-.nl'"), problems[4])
            XCTAssertTrue(problems[4].contains("formal_reaction 'maybe' is not yes or no"), problems[4])
            print((error as? SeedListError)?.description ?? "")
        }
    }

    func testAFileThatIsNotPublishedResultsIsRefused() {
        XCTAssertThrowsError(try PublishedResults.parse([SeedFile(name: "list.txt", text: "rijksoverheid.nl\n")])) { error in
            XCTAssertEqual((error as? SeedListError)?.problems.first?.description,
                           "list.txt:1: not a published results file: the header is not 'domain,layer,formal_reaction,…' of web.csv or mail.csv")
        }
        XCTAssertThrowsError(try PublishedResults.parse([SeedFile(name: "web.csv", text: Self.header + "\n")])) { error in
            XCTAssertEqual((error as? SeedListError)?.problems.first?.description, "web.csv: no results")
        }
    }

    func testTheStoreKeepsNothingWhenARowNamesADomainOutsideTheSet() throws {
        let rows = try PublishedResults.parse([SeedFile(name: "mail.csv", text: "domain,layer,formal_reaction,dmarc\na.nl,rijk,no,passed\nb.nl,rijk,no,failed\n")])
        let entries = try SeedList.parse("a.nl", fileName: "list")
        XCTAssertThrowsError(try store.importResults(name: "partial", date: "2021-03-31", ruleSet: "internetnl-2021", set: "primary",
                                                     entries: entries, rows: rows))
        XCTAssertThrowsError(try store.measurementInfo("partial"), "no measurement is left behind")
        XCTAssertTrue(try store.listSets().isEmpty, "no set is left behind")
    }
}
