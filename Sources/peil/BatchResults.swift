import Checks

/// Results shaped like Internet.nl's batch API v2 (`/api/batch/v2/requests/<id>/results`), so
/// existing consumers can read them: per domain `results.calculated_results` holds the bulk
/// ("legacy") columns under Internet.nl's names, each with status, verdict and
/// `technical_details` (Peil's evidence for the status).
struct BatchResults: Encodable {
    struct Request: Encodable {
        var request_id: String
        var request_type: String
        var status: String
        var name: String
    }

    struct Column: Encodable {
        var status: String
        var verdict: String
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

    /// Internet.nl's names for Peil's bulk columns.
    static let names: [String: String] = [
        "dnssec": "web_legacy_dnssec", "tls_available": "web_legacy_tls_available", "tls_ncsc": "web_legacy_tls_ncsc_web",
        "https_redirect": "web_legacy_https_enforced", "hsts": "web_legacy_hsts", "ipv6_web": "web_legacy_category_ipv6",
        "ipv6_nameserver": "web_legacy_ipv6_nameserver", "ipv6_webserver": "web_legacy_ipv6_webserver",
        "dmarc": "mail_legacy_dmarc", "dkim": "mail_legacy_dkim", "spf": "mail_legacy_spf", "dmarc_policy": "mail_legacy_dmarc_policy",
        "spf_policy": "mail_legacy_spf_policy", "dnssec_mx": "mail_legacy_dnssec_mx", "starttls": "mail_legacy_start_tls",
        "starttls_ncsc": "mail_legacy_start_tls_ncsc", "dane": "mail_legacy_dane", "ipv6_mail": "mail_legacy_category_ipv6",
        "ipv6_mailserver": "mail_legacy_ipv6_mailserver",
    ]
    /// The mail test's nameserver column (the web one is `web_legacy_ipv6_nameserver`).
    static let mailNameserver = "mail_legacy_ipv6_nameserver"

    init(measurementID: Int64, ruleSet: RuleSet, verdicts: [DomainVerdicts]) {
        request = Request(request_id: "peil-\(measurementID)", request_type: "web,mail", status: "done",
                          name: "Peil measurement \(measurementID) (\(ruleSet.rawValue))")
        var domains: [String: Domain] = [:]
        for verdict in verdicts {
            var columns: [String: Column] = [:]
            for (test, values) in [("web", verdict.web), ("mail", verdict.mail)] {
                for (column, value) in values {
                    guard let name = test == "mail" && column == "ipv6_nameserver" ? Self.mailNameserver : Self.names[column] else { continue }
                    columns[name] = Column(status: value.status, verdict: value.status,
                                           technical_details: value.because.isEmpty ? [] : [[value.because]])
                }
            }
            domains[verdict.domain] = Domain(status: "ok", results: Results(calculated_results: columns))
        }
        self.domains = domains
    }
}
