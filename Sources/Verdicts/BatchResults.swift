import Checks
import PeilModel

/// Results shaped like Internet.nl's batch API v2 (`/api/batch/v2/requests/<id>/results`), so
/// existing consumers can read them: per domain `results.calculated_results` holds the bulk
/// ("legacy") columns under Internet.nl's names, each with status, verdict and
/// `technical_details` (Peil's evidence for the status).
public struct BatchResults: Encodable, Sendable {
    struct Request: Encodable {
        var request_id: String
        var request_type: String
        var status: String
        var name: String
    }

    struct Column: Encodable {
        var status: Status
        var verdict: Status
        var technical_details: [[String]]
    }

    struct Results: Encodable {
        var calculated_results: [String: Column]
    }

    struct Domain: Encodable {
        var status: String
        var results: Results
    }

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

    public init(measurementID: Int64, ruleSet: RuleSet, verdicts: [DomainVerdicts]) {
        request = Request(request_id: "peil-\(measurementID)", request_type: "web,mail", status: "done",
                          name: "Peil measurement \(measurementID) (\(ruleSet.rawValue))")
        var domains: [String: Domain] = [:]
        for verdict in verdicts {
            var columns: [String: Column] = [:]
            for column in BulkColumns.all {
                guard let name = Self.names[column], let cell = verdict[column] else { continue }
                columns[name] = Column(status: cell.status, verdict: cell.status, technical_details: cell.because.isEmpty ? [] : [[cell.because]])
            }
            domains[verdict.domain] = Domain(status: "ok", results: Results(calculated_results: columns))
        }
        self.domains = domains
    }
}
