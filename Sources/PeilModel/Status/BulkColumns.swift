/// The two tests whose bulk columns the government report publishes.
public enum BulkTest: String, CaseIterable, Codable, Sendable, Hashable {
    case web, mail
}

/// A bulk column: its test and its name within the test. The web and the mail test both have
/// an `ipv6_nameserver` column; the test tells them apart.
public struct BulkColumnID: Sendable, Hashable, CustomStringConvertible {
    public let test: BulkTest
    /// The bulk name within the test, e.g. `hsts`.
    public let name: String

    public init(_ test: BulkTest, _ name: String) {
        self.test = test
        self.name = name
    }

    /// `web.hsts`, `mail.ipv6_nameserver`: the test and the name (the report's column key).
    public var key: String { test.rawValue + "." + name }

    /// A column from its key; nil without a known test before the first dot.
    public init?(key: String) {
        let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let test = BulkTest(rawValue: parts[0]) else { return nil }
        self.init(test, parts[1])
    }

    /// The name in `peil results`' CSV header: the bare name, but `mail_ipv6_nameserver` for
    /// the mail test's nameserver column (the web one keeps `ipv6_nameserver`).
    public var csvName: String { self == Self.mailIPv6Nameserver ? "mail_ipv6_nameserver" : name }

    public var description: String { key }

    public static let webIPv6Nameserver = BulkColumnID(.web, "ipv6_nameserver")
    public static let mailIPv6Nameserver = BulkColumnID(.mail, "ipv6_nameserver")
}

/// The government report's bulk columns, in its order (`data/README.md`): one list for the
/// verdicts, the twin's truth, `peil results` and the reports.
public enum BulkColumns {
    /// The 8 web columns (`web.csv`).
    public static let web = ["dnssec", "tls_available", "tls_ncsc", "https_redirect", "hsts", "ipv6_web", "ipv6_nameserver", "ipv6_webserver"]
        .map { BulkColumnID(.web, $0) }
    /// The 12 mail columns (`mail.csv`).
    public static let mail = ["dmarc", "dkim", "spf", "dmarc_policy", "spf_policy", "starttls", "starttls_ncsc", "dnssec_mx",
                              "dane", "ipv6_mail", "ipv6_nameserver", "ipv6_mailserver"].map { BulkColumnID(.mail, $0) }
    /// Web then mail.
    public static let all = web + mail

    /// The columns of one test.
    public static func of(_ test: BulkTest) -> [BulkColumnID] {
        test == .web ? web : mail
    }
}
