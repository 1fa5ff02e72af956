import Checks
import Foundation
import PeilModel

/// Results in Internet.nl's batch API v2 response shape (`GET /api/batch/v2/requests/<id>/results`,
/// schema `ResultsResponse` of its `interface/batch/openapi.yaml`, API 2.7.0), so that existing
/// consumers can read them. A batch request is of one test (`request_type` web or mail), so is
/// this document. Per domain, `results.tests` holds every subtest Peil judges under
/// Internet.nl's name, with `status` in the API's six words and `verdict` Peil's own status
/// word, and `technical_details`, Peil's evidence; `results.calculated_results` the test's
/// bulk ("legacy") columns. `results.categories` is empty: Peil does not judge every subtest
/// of every category (`docs/SUBTESTS.md`), and a category verdict on part of its subtests
/// would not be Internet.nl's. The schema and the test that validates against it:
/// `Tests/VerdictsTests/Resources/`.
public struct BatchResults: Encodable, Sendable {
    /// The API version whose schema the document follows.
    public static let apiVersion = "2.7.0"

    struct Request: Encodable {
        var request_id: String
        var name: String
        var request_type: String
        var status: String
        var submit_date: String
        var finished_date: String
    }

    struct Column: Encodable {
        var status: Status
        var verdict: Status
        var technical_details: [[String]]
    }

    struct Test: Encodable {
        var status: String
        var verdict: String
        var technical_details: [[String]]
    }

    struct Results: Encodable {
        var categories: [String: String] = [:]
        var tests: [String: Test]
        var custom: [String: String] = [:]
        var calculated_results: [String: Column]
    }

    struct Domain: Encodable {
        var status: String
        var results: Results
    }

    var api_version = Self.apiVersion
    var request: Request
    var domains: [String: Domain]

    /// Internet.nl's names for Peil's bulk columns: the test's prefix, then its own name
    /// (`mail_legacy_ipv6_nameserver` and `web_legacy_ipv6_nameserver` are two columns).
    public static let names: [BulkColumnID: String] = {
        let web = ["dnssec": "dnssec", "tls_available": "tls_available", "tls_ncsc": "tls_ncsc_web", "https_redirect": "https_enforced",
                   "hsts": "hsts", "ipv6_web": "category_ipv6", "ipv6_nameserver": "ipv6_nameserver", "ipv6_webserver": "ipv6_webserver"]
        let mail = ["dmarc": "dmarc", "dkim": "dkim", "spf": "spf", "dmarc_policy": "dmarc_policy", "spf_policy": "spf_policy",
                    "dnssec_mx": "dnssec_mx", "starttls": "start_tls", "starttls_ncsc": "start_tls_ncsc", "dane": "dane",
                    "ipv6_mail": "category_ipv6", "ipv6_nameserver": "ipv6_nameserver", "ipv6_mailserver": "ipv6_mailserver"]
        var names: [BulkColumnID: String] = [:]
        for (name, theirs) in web { names[BulkColumnID(.web, name)] = "web_legacy_" + theirs }
        for (name, theirs) in mail { names[BulkColumnID(.mail, name)] = "mail_legacy_" + theirs }
        return names
    }()

    /// Internet.nl's request id is 32 hexadecimal digits: the measurement id, zero-padded.
    public static func requestID(measurementID: Int64) -> String {
        let hex = String(UInt64(bitPattern: measurementID), radix: 16)
        return String(repeating: "0", count: max(0, 32 - hex.count)) + hex
    }

    /// The six status words of a batch test (`Test.status` in the schema): Peil's words that
    /// mean no result (unreachable, not_testable) are `error`; those that mean the test does
    /// not apply (no_mx, not_applicable) are `not_tested`.
    public static func testStatus(_ status: Status) -> String {
        switch status {
        case .passed, .failed, .info, .warning, .notTested, .error: status.rawValue
        case .unreachable, .notTestable: Status.error.rawValue
        case .noMX, .notApplicable: Status.notTested.rawValue
        }
    }

    /// The document for `test`'s results of a measurement submitted at `submitted` and judged at `finished`.
    public init(measurementID: Int64, ruleSet: RuleSet, test: BulkTest, submitted: Date, finished: Date, verdicts: [DomainVerdicts]) {
        let dates = ISO8601DateFormatter()
        request = Request(request_id: Self.requestID(measurementID: measurementID),
                          name: "Peil measurement \(measurementID) (\(ruleSet.rawValue), \(test.rawValue))",
                          request_type: test.rawValue, status: "done",
                          submit_date: dates.string(from: submitted), finished_date: dates.string(from: finished))
        var domains: [String: Domain] = [:]
        for verdict in verdicts {
            var columns: [String: Column] = [:]
            for column in BulkColumns.of(test) {
                guard let name = Self.names[column], let cell = verdict[column] else { continue }
                columns[name] = Column(status: cell.status, verdict: cell.status, technical_details: cell.because.isEmpty ? [] : [[cell.because]])
            }
            var tests: [String: Test] = [:]
            for (id, cell) in verdict.subtests where id.test == test {
                tests[id.rawValue] = Test(status: Self.testStatus(cell.status), verdict: cell.status.rawValue,
                                          technical_details: cell.because.isEmpty ? [] : [[cell.because]])
            }
            domains[verdict.domain] = Domain(status: "ok", results: Results(tests: tests, calculated_results: columns))
        }
        self.domains = domains
    }
}
