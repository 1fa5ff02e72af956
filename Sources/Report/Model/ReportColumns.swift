import PeilModel

/// A column of the report: a bulk column of the web or mail test.
public struct ReportColumn: Codable, Sendable, Hashable {
    /// `web.hsts`, `mail.ipv6_nameserver`: the test and the bulk name.
    public var key: String
    /// `web` or `mail` (or whatever precedes the first dot).
    public var test: String
    /// The bulk name, e.g. `hsts`.
    public var name: String
    /// A human label, e.g. `HSTS`.
    public var label: String

    public init(key: String) {
        self.key = key
        let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
        test = parts.count == 2 ? parts[0] : ""
        name = parts.last ?? key
        label = ReportColumns.labels[key] ?? name
    }

    /// The bulk column, nil for a key without a known test.
    public var id: BulkColumnID? { BulkColumnID(key: key) }

    /// Whether the column is one of the IPv6 columns.
    public var isIPv6: Bool { name.hasPrefix("ipv6") }
}

/// The known columns in the order of the government report, with their labels. Columns the
/// data holds that are not listed here follow, sorted, under their own names: a new column
/// appears in every report without changes here.
public enum ReportColumns {
    public static let order = BulkColumns.all.map(\.key)

    public static let labels: [String: String] = [
        "web.dnssec": "DNSSEC", "web.tls_available": "HTTPS", "web.tls_ncsc": "TLS (NCSC)",
        "web.https_redirect": "HTTPS redirect", "web.hsts": "HSTS", "web.ipv6_web": "IPv6 web",
        "web.ipv6_nameserver": "IPv6 nameservers (web)", "web.ipv6_webserver": "IPv6 web server",
        "mail.dmarc": "DMARC", "mail.dkim": "DKIM", "mail.spf": "SPF", "mail.dmarc_policy": "DMARC policy",
        "mail.spf_policy": "SPF policy", "mail.starttls": "STARTTLS", "mail.starttls_ncsc": "STARTTLS (NCSC)",
        "mail.dnssec_mx": "DNSSEC MX", "mail.dane": "DANE", "mail.ipv6_mail": "IPv6 mail",
        "mail.ipv6_nameserver": "IPv6 nameservers (mail)", "mail.ipv6_mailserver": "IPv6 mail server",
    ]

    /// The columns present in `measurements`, known ones first in the report's order.
    public static func present(in measurements: [MeasurementInput]) -> [ReportColumn] {
        var keys = Set<String>()
        for measurement in measurements { for domain in measurement.domains { keys.formUnion(domain.cells.keys) } }
        return ordered(keys).map(ReportColumn.init(key:))
    }

    /// Column keys in the report's order: known ones in ``order``, then the others by test
    /// (web first) and name. A subset keeps its members in the same relative order.
    static func ordered(_ keys: Set<String>) -> [String] {
        let known = order.filter(keys.contains)
        func web(_ key: String) -> Int { BulkColumnID(key: key)?.test == .web ? 0 : 1 }
        return known + keys.subtracting(order).sorted { (web($0), $0) < (web($1), $1) }
    }
}
