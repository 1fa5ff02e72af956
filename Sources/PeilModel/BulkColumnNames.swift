/// The government report's bulk (standard-level) columns, in its order (`data/README.md`):
/// one list for the verdicts, the twin's truth, `peil results` and the reports.
public enum BulkColumnNames {
    /// The 8 web columns (`web.csv`).
    public static let web = ["dnssec", "tls_available", "tls_ncsc", "https_redirect", "hsts", "ipv6_web", "ipv6_nameserver", "ipv6_webserver"]
    /// The 12 mail columns (`mail.csv`).
    public static let mail = ["dmarc", "dkim", "spf", "dmarc_policy", "spf_policy", "starttls", "starttls_ncsc", "dnssec_mx",
                              "dane", "ipv6_mail", "ipv6_nameserver", "ipv6_mailserver"]
}
