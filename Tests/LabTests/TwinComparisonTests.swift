import Foundation
import Lab
import PeilModel
import XCTest

/// `peil lab compare`'s comparison: the `derived` rule, grouping, the table, both result shapes.
final class TwinComparisonTests: XCTestCase {
    static let truth = Data("""
        [
          {"domain": "a.nl", "webHost": "www.a.nl", "sets": ["primary"],
           "web": {"tls_available": {"status": "passed", "because": "TLS 1.3"},
                   "hsts": {"status": "failed", "because": "quirk", "derived": "passed"}},
           "mail": {"dmarc": {"status": "passed", "because": "p=reject"},
                    "spf": {"status": "failed", "because": "+all"}}},
          {"domain": "b.nl", "webHost": "www.b.nl", "sets": ["primary"],
           "web": {"tls_available": {"status": "error", "because": "port 443 silent"},
                   "hsts": {"status": "failed", "because": "no header"}},
           "mail": {"dmarc": {"status": "failed", "because": "none"},
                    "spf": {"status": "passed", "because": "-all"}}},
          {"domain": "c.nl", "webHost": "www.c.nl", "sets": ["broad"],
           "web": {"tls_available": {"status": "error", "because": "port 443 silent"}},
           "mail": {"dmarc": {"status": "passed", "because": "p=reject"}, "spf": {"status": "passed", "because": "-all"}}}
        ]
        """.utf8)

    func testResultsAgreeByStatusOrDerivedAndDisagreementsAreGroupedMostFirst() throws {
        let results = Data("""
            {"domain":"a.nl","web":{"hsts":{"status":"passed","because":"max-age=31536000"},"tls_available":{"status":"passed","because":"TLS 1.3"}},"mail":{"dmarc":{"status":"passed","because":"ok"}}}
            {"domain":"b.nl","web":{"hsts":{"status":"failed","because":"none"},"tls_available":{"status":"failed","because":"refused"},"x_unknown":{"status":"passed"}}}
            {"domain":"c.nl","web":{"tls_available":{"status":"failed","because":"refused"}}}
            {"domain":"not-in-truth.nl","web":{"hsts":{"status":"failed","because":""}}}

            """.utf8)
        let comparison = try TwinComparison.compare(truth: Self.truth, results: results)
        XCTAssertEqual(comparison.measuredDomains, 4)
        XCTAssertEqual(keyed(comparison.compared), ["web.hsts": 2, "web.tls_available": 3, "mail.dmarc": 1])
        XCTAssertEqual(keyed(comparison.agreeing), ["web.hsts": 2, "web.tls_available": 1, "mail.dmarc": 1], "a.nl's hsts agrees by `derived`")
        XCTAssertEqual(comparison.cells, 6)
        XCTAssertEqual(comparison.agreeingCells, 4)
        XCTAssertFalse(comparison.agreesEverywhere)
        XCTAssertEqual(comparison.disagreements.map(\.column), [BulkColumnID(.web, "tls_available")])
        XCTAssertEqual(comparison.disagreements.first?.cases.map(\.domain), ["b.nl", "c.nl"])

        XCTAssertEqual(comparison.table(maxExamples: 1), """
            column                       agree   cells        %
            mail.dmarc                       1       1  100.00%
            web.hsts                         2       2  100.00%
            web.tls_available                1       3   33.33%
            all                              4       6   66.67%  (4 domains)

            web.tls_available: truth error → measured failed: 2 domains
              b.nl
                truth:    port 443 silent
                measured: refused
            """)
    }

    func testGroupsWithMoreDomainsComeFirst() throws {
        let results = Data("""
            {"domain":"a.nl","mail":{"spf":{"status":"passed","because":"x"}}}
            {"domain":"b.nl","mail":{"dmarc":{"status":"passed","because":"y"}}}
            {"domain":"c.nl","mail":{"dmarc":{"status":"failed","because":"z"}}}
            {"domain":"b.nl","mail":{"dmarc":{"status":"passed","because":"y"}}}
            """.utf8)
        let comparison = try TwinComparison.compare(truth: Self.truth, results: results)
        XCTAssertEqual(comparison.disagreements.map { "\($0.column) \($0.truth.rawValue)→\($0.measured?.rawValue ?? "missing") \($0.cases.count)" },
                       ["mail.dmarc failed→passed 2", "mail.spf failed→passed 1", "mail.dmarc passed→failed 1"])
    }

    /// `peil resolve --mail-columns` lines: flat columns with causes in `because`; a failed run
    /// disagrees as `missing` in every column the file measured; other lines are ignored.
    func testMailColumnsLinesAndFailedDomains() throws {
        let results = Data("""
            resolving 2 domains
            {"because":{"dmarc":"p=reject","spf":"+all"},"dmarc":"passed","domain":"a.nl","spf":"failed"}
            {"domain":"b.nl","failed":true}
            """.utf8)
        let comparison = try TwinComparison.compare(truth: Self.truth, results: results)
        XCTAssertEqual(keyed(comparison.compared), ["mail.dmarc": 2, "mail.spf": 2])
        XCTAssertEqual(keyed(comparison.agreeing), ["mail.dmarc": 1, "mail.spf": 1])
        XCTAssertEqual(Set(comparison.disagreements.map { "\($0.column) \($0.truth.rawValue)→\($0.measured?.rawValue ?? "missing")" }),
                       ["mail.dmarc failed→missing", "mail.spf passed→missing"])
    }

    func testAMalformedLineIsAnError() {
        XCTAssertThrowsError(try TwinComparison.compare(truth: Self.truth, results: Data("{\"web\": {}}\n".utf8)))
        let unknownWord = Data(#"{"domain":"a.nl","web":{"hsts":{"status":"good","because":""}}}"#.utf8)
        XCTAssertThrowsError(try TwinComparison.compare(truth: Self.truth, results: unknownWord), "a status outside the ten words")
        XCTAssertThrowsError(try TwinComparison.compare(truth: Data("{}".utf8), results: Data()))
    }
}

/// Column counts by their keys (`web.hsts`), for literal expectations.
private func keyed(_ counts: [BulkColumnID: Int]) -> [String: Int] {
    Dictionary(uniqueKeysWithValues: counts.map { ($0.key.key, $0.value) })
}
