import Checks
import Foundation
import PeilModel
import Report
import Verdicts
import XCTest

/// Verdict assembly without a database: domains without a resolution, and the shapes of
/// `peil results`' formats.
final class VerdictsTests: XCTestCase {
    let psl = PublicSuffixList(text: "nl\n")

    func testADomainWithoutResolutionSaysWhyInEveryColumn() async {
        let gaveUp = await DomainVerdicts.evaluate(domain: .init(name: "a.nl", state: "not_testable", lastError: "3 attempts timed out"),
                                                   resolution: nil, linked: [], ruleSet: .internetnl2021, psl: psl)
        XCTAssertEqual(gaveUp.web.count, 8)
        XCTAssertEqual(gaveUp.mail.count, 12)
        for column in BulkColumns.all {
            XCTAssertEqual(gaveUp[column], StatusCell(.notTestable, "not testable: 3 attempts timed out"), column.key)
        }
        let pending = await DomainVerdicts.evaluate(domain: .init(name: "b.nl", state: "leased"), resolution: nil, linked: [],
                                                    ruleSet: .internetnlCurrent, psl: psl)
        for column in BulkColumns.all { XCTAssertEqual(pending[column], StatusCell(.error, "resolution leased"), column.key) }
    }

    func testAMeasurementIsJudgedInItsOrder() async {
        let observations = MeasurementObservations(
            measurementID: 7, domains: (0..<130).map { .init(name: String(format: "d%03d.nl", $0), state: "not_testable") },
            resolutions: [:], connects: [:])
        let verdicts = await DomainVerdicts.evaluate(observations, ruleSet: .internetnl2021, psl: psl)
        XCTAssertEqual(verdicts.map(\.domain), observations.domains.map(\.name), "three batches, their order kept")
    }

    func testBatchAPINames() {
        XCTAssertEqual(Set(BatchResults.names.keys), Set(BulkColumns.all), "every bulk column has an Internet.nl name")
        XCTAssertEqual(Set(BatchResults.names.values).count, 20, "no two columns share a name")
        XCTAssertEqual(BatchResults.names[.mailIPv6Nameserver], "mail_legacy_ipv6_nameserver")
        XCTAssertEqual(BatchResults.names[.webIPv6Nameserver], "web_legacy_ipv6_nameserver")
        XCTAssertEqual(BatchResults.names[BulkColumnID(.mail, "ipv6_mail")], "mail_legacy_category_ipv6")
        XCTAssertEqual(BatchResults.names[BulkColumnID(.web, "tls_ncsc")], "web_legacy_tls_ncsc_web")
    }

    func testResultsFormats() throws {
        var web = Dictionary(uniqueKeysWithValues: BulkColumns.web.map { ($0.name, StatusCell(.passed, "ok")) })
        var mail = Dictionary(uniqueKeysWithValues: BulkColumns.mail.map { ($0.name, StatusCell(.passed, "")) })
        web["ipv6_nameserver"] = StatusCell(.error, "not probed")
        mail["ipv6_nameserver"] = StatusCell(.notTested, "")
        let verdicts = [DomainVerdicts(domain: "a.nl", web: web, mail: mail)]
        XCTAssertEqual(ResultsFormats.csv(verdicts), [
            "domain,dnssec,tls_available,tls_ncsc,https_redirect,hsts,ipv6_web,ipv6_nameserver,ipv6_webserver,dmarc,dkim,spf,dmarc_policy,"
                + "spf_policy,starttls,starttls_ncsc,dnssec_mx,dane,ipv6_mail,mail_ipv6_nameserver,ipv6_mailserver",
            "a.nl,passed,passed,passed,passed,passed,passed,error,passed,passed,passed,passed,passed,passed,passed,passed,passed,passed,"
                + "passed,not_tested,passed",
        ])
        let line = try XCTUnwrap(ResultsFormats.jsonLines(verdicts, ruleSet: .internetnl2021).first)
        XCTAssertTrue(line.hasPrefix(#"{"domain":"a.nl","mail":{"dane":{"because":"","status":"passed"}"#), line)
        XCTAssertTrue(line.contains(#""ipv6_nameserver":{"because":"not probed","status":"error"}"#), line)
        let batch = try ResultsFormats.batchJSON(verdicts, measurementID: 7, ruleSet: .internetnl2021, test: .mail,
                                                 submitted: Date(timeIntervalSince1970: 0), finished: Date(timeIntervalSince1970: 60))
        XCTAssertTrue(batch.contains(#""mail_legacy_ipv6_nameserver" : {"#), batch)
        XCTAssertFalse(batch.contains("web_legacy_"), "a batch request is of one test")
        XCTAssertTrue(batch.contains(#""request_id" : "00000000000000000000000000000007""#), batch)
        XCTAssertTrue(batch.contains(#""submit_date" : "1970-01-01T00:00:00Z""#), batch)
    }

    /// `peil rescan --only`: a domain is picked when a column its sets test has one of the words.
    func testRescanSelectionPicksDomainsWithAColumnInTheGivenStatuses() {
        let domains = [
            MeasuredDomain(domain: "c.nl", cells: ["web.tls_ncsc": StatusCell(.failed), "mail.spf": StatusCell(.passed)]),
            MeasuredDomain(domain: "a.nl", cells: ["web.hsts": StatusCell(.error), "mail.spf": StatusCell(.passed)]),
            MeasuredDomain(domain: "b.nl", cells: ["web.hsts": StatusCell(.passed), "mail.spf": StatusCell(.passed)]),
            MeasuredDomain(domain: "mailonly.nl", cells: ["web.hsts": StatusCell(.failed), "mail.spf": StatusCell(.passed)]),
            MeasuredDomain(domain: "outsider.nl", cells: ["web.hsts": StatusCell(.failed)]),
        ]
        let sets = [ReportSet(name: "lab", members: ["a.nl": SetMember(layer: nil), "b.nl": SetMember(layer: nil), "c.nl": SetMember(layer: nil),
                                                     "mailonly.nl": SetMember(layer: nil, testsWeb: false)])]
        XCTAssertEqual(RescanSelection.domains(domains, withAnyOf: [.failed, .error, .notTestable], sets: sets), ["a.nl", "c.nl"],
                       "sorted; mailonly.nl's web test is not asked for; outsider.nl is in no set")
        XCTAssertEqual(RescanSelection.domains(domains, withAnyOf: [.error], sets: sets), ["a.nl"])
        XCTAssertEqual(RescanSelection.domains(domains, withAnyOf: [.noMX], sets: sets), [])
    }
}
