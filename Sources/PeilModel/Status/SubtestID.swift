/// One subtest of Internet.nl's web or mail test, by its name in the batch API v2 results
/// (`domains.<d>.results.tests`): the vocabulary every per-domain subtest of Peil is keyed by.
///
/// The list, its order and the names are those of Internet.nl's `interface/batch/__init__.py`
/// (`REPORT_METADATA_WEB_MAP`, `REPORT_METADATA_MAIL_MAP`, commit cec0e01d of
/// github.com/internetstandards/Internet.nl, batch API 2.7.0); ``reportName`` is the name the
/// subtest has in Internet.nl's report (and in Peil's `SubtestResult.name`), ``label`` its
/// short English label (`translations/en/main.po`, CC BY 4.0). Peil judges most of them;
/// which, and which not, is in `docs/SUBTESTS.md`.
public enum SubtestID: String, CaseIterable, Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    case webIPv6NSAddress = "web_ipv6_ns_address"
    case webIPv6NSReach = "web_ipv6_ns_reach"
    case webIPv6WSAddress = "web_ipv6_ws_address"
    case webIPv6WSReach = "web_ipv6_ws_reach"
    case webIPv6WSSimilar = "web_ipv6_ws_similar"
    case webDNSSECExist = "web_dnssec_exist"
    case webDNSSECValid = "web_dnssec_valid"
    case webHTTPSHTTPAvailable = "web_https_http_available"
    case webHTTPSHTTPRedirect = "web_https_http_redirect"
    case webHTTPSHTTPCompress = "web_https_http_compress"
    case webHTTPSHTTPHSTS = "web_https_http_hsts"
    case webHTTPSTLSVersion = "web_https_tls_version"
    case webHTTPSTLSCiphers = "web_https_tls_ciphers"
    case webHTTPSTLSCipherOrder = "web_https_tls_cipherorder"
    case webHTTPSTLSKeyExchange = "web_https_tls_keyexchange"
    case webHTTPSTLSKeyExchangeHash = "web_https_tls_keyexchangehash"
    case webHTTPSTLSCompress = "web_https_tls_compress"
    case webHTTPSTLSSecureRenegotiation = "web_https_tls_secreneg"
    case webHTTPSTLSClientRenegotiation = "web_https_tls_clientreneg"
    case webHTTPSTLSExtendedMasterSecret = "web_https_tls_extendedmastersecret"
    case webHTTPSTLSZeroRTT = "web_https_tls_0rtt"
    case webHTTPSTLSOCSP = "web_https_tls_ocsp"
    case webHTTPSTLSCAA = "web_https_tls_caa"
    case webHTTPSCertChain = "web_https_cert_chain"
    case webHTTPSCertPubkey = "web_https_cert_pubkey"
    case webHTTPSCertSig = "web_https_cert_sig"
    case webHTTPSCertDomain = "web_https_cert_domain"
    case webHTTPSDANEExist = "web_https_dane_exist"
    case webHTTPSDANEValid = "web_https_dane_valid"
    case webAppsecprivXFrameOptions = "web_appsecpriv_x_frame_options"
    case webAppsecprivXContentTypeOptions = "web_appsecpriv_x_content_type_options"
    case webAppsecprivCSP = "web_appsecpriv_csp"
    case webAppsecprivReferrerPolicy = "web_appsecpriv_referrer_policy"
    case webAppsecprivSecurityTxt = "web_appsecpriv_securitytxt"
    case webRPKIExists = "web_rpki_exists"
    case webRPKIValid = "web_rpki_valid"
    case webNSRPKIExists = "web_ns_rpki_exists"
    case webNSRPKIValid = "web_ns_rpki_valid"
    case mailIPv6NSAddress = "mail_ipv6_ns_address"
    case mailIPv6NSReach = "mail_ipv6_ns_reach"
    case mailIPv6MXAddress = "mail_ipv6_mx_address"
    case mailIPv6MXReach = "mail_ipv6_mx_reach"
    case mailDNSSECMailtoExist = "mail_dnssec_mailto_exist"
    case mailDNSSECMailtoValid = "mail_dnssec_mailto_valid"
    case mailDNSSECMXExist = "mail_dnssec_mx_exist"
    case mailDNSSECMXValid = "mail_dnssec_mx_valid"
    case mailAuthDMARCExist = "mail_auth_dmarc_exist"
    case mailAuthDMARCPolicy = "mail_auth_dmarc_policy"
    case mailAuthDKIMExist = "mail_auth_dkim_exist"
    case mailAuthSPFExist = "mail_auth_spf_exist"
    case mailAuthSPFPolicy = "mail_auth_spf_policy"
    case mailSTARTTLSTLSAvailable = "mail_starttls_tls_available"
    case mailSTARTTLSTLSVersion = "mail_starttls_tls_version"
    case mailSTARTTLSTLSCiphers = "mail_starttls_tls_ciphers"
    case mailSTARTTLSTLSCipherOrder = "mail_starttls_tls_cipherorder"
    case mailSTARTTLSTLSKeyExchange = "mail_starttls_tls_keyexchange"
    case mailSTARTTLSTLSKeyExchangeHash = "mail_starttls_tls_keyexchangehash"
    case mailSTARTTLSTLSCompress = "mail_starttls_tls_compress"
    case mailSTARTTLSTLSSecureRenegotiation = "mail_starttls_tls_secreneg"
    case mailSTARTTLSTLSClientRenegotiation = "mail_starttls_tls_clientreneg"
    case mailSTARTTLSTLSExtendedMasterSecret = "mail_starttls_tls_extendedmastersecret"
    case mailSTARTTLSTLSZeroRTT = "mail_starttls_tls_0rtt"
    case mailSTARTTLSTLSCAA = "mail_starttls_tls_caa"
    case mailSTARTTLSCertChain = "mail_starttls_cert_chain"
    case mailSTARTTLSCertPubkey = "mail_starttls_cert_pubkey"
    case mailSTARTTLSCertSig = "mail_starttls_cert_sig"
    case mailSTARTTLSCertDomain = "mail_starttls_cert_domain"
    case mailSTARTTLSDANEExist = "mail_starttls_dane_exist"
    case mailSTARTTLSDANEValid = "mail_starttls_dane_valid"
    case mailSTARTTLSDANERollover = "mail_starttls_dane_rollover"
    case mailRPKIExists = "mail_rpki_exists"
    case mailRPKIValid = "mail_rpki_valid"
    case mailNSRPKIExists = "mail_ns_rpki_exists"
    case mailNSRPKIValid = "mail_ns_rpki_valid"
    case mailMXNSRPKIExists = "mail_mx_ns_rpki_exists"
    case mailMXNSRPKIValid = "mail_mx_ns_rpki_valid"

    /// The test the subtest belongs to.
    public var test: BulkTest { rawValue.hasPrefix("web_") ? .web : .mail }

    /// Internet.nl's batch category (`web_https`, `mail_auth`, …).
    public var category: String { Self.table[self]!.category }

    /// The subtest's name in Internet.nl's report (`https_hsts`, `tls_version`, …): the name
    /// Peil's `SubtestResult`s carry.
    public var reportName: String { Self.table[self]!.reportName }

    /// Internet.nl's short English label ("HTTPS available", "DANE validity").
    public var label: String { Self.table[self]!.label }

    public var description: String { rawValue }

    /// In Internet.nl's order (the order of ``allCases``).
    public static func < (lhs: SubtestID, rhs: SubtestID) -> Bool { lhs.order < rhs.order }

    var order: Int { Self.orderIndex[self]! }

    /// The subtests of one test, in Internet.nl's order.
    public static func of(_ test: BulkTest) -> [SubtestID] { allCases.filter { $0.test == test } }

    /// The subtest of `test` that Internet.nl's report calls `reportName` (`tls_version` is a
    /// web and a mail subtest); nil when there is none.
    public init?(test: BulkTest, reportName: String) {
        guard let found = Self.of(test).first(where: { $0.reportName == reportName }) else { return nil }
        self = found
    }

    private static let orderIndex = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })

    private static let table: [SubtestID: (category: String, reportName: String, label: String)] = [
        .webIPv6NSAddress: ("web_ipv6", "ns_aaaa", "IPv6 addresses for name servers"),
        .webIPv6NSReach: ("web_ipv6", "ns_reach", "IPv6 reachability of name servers"),
        .webIPv6WSAddress: ("web_ipv6", "web_aaaa", "IPv6 addresses for web server"),
        .webIPv6WSReach: ("web_ipv6", "web_reach", "IPv6 reachability of web server"),
        .webIPv6WSSimilar: ("web_ipv6", "web_ipv46", "Same website on IPv6 and IPv4"),
        .webDNSSECExist: ("web_dnssec", "dnssec_exists", "DNSSEC existence"),
        .webDNSSECValid: ("web_dnssec", "dnssec_valid", "DNSSEC validity"),
        .webHTTPSHTTPAvailable: ("web_https", "https_exists", "HTTPS available"),
        .webHTTPSHTTPRedirect: ("web_https", "https_forced", "HTTPS redirect"),
        .webHTTPSHTTPCompress: ("web_https", "http_compression", "HTTP compression"),
        .webHTTPSHTTPHSTS: ("web_https", "https_hsts", "HSTS"),
        .webHTTPSTLSVersion: ("web_https", "tls_version", "TLS version"),
        .webHTTPSTLSCiphers: ("web_https", "tls_ciphers", "Cipher suites"),
        .webHTTPSTLSCipherOrder: ("web_https", "tls_cipher_order", "Cipher suite order"),
        .webHTTPSTLSKeyExchange: ("web_https", "fs_params", "Parameters for key exchange"),
        .webHTTPSTLSKeyExchangeHash: ("web_https", "kex_hash_func", "Hash function for key exchange"),
        .webHTTPSTLSCompress: ("web_https", "tls_compression", "TLS compression"),
        .webHTTPSTLSSecureRenegotiation: ("web_https", "renegotiation_secure", "Secure renegotiation"),
        .webHTTPSTLSClientRenegotiation: ("web_https", "renegotiation_client", "Client-initiated renegotiation"),
        .webHTTPSTLSExtendedMasterSecret: ("web_https", "extended_master_secret", "Extended Master Secret (EMS)"),
        .webHTTPSTLSZeroRTT: ("web_https", "zero_rtt", "0-RTT"),
        .webHTTPSTLSOCSP: ("web_https", "ocsp_stapling", "OCSP stapling"),
        .webHTTPSTLSCAA: ("web_https", "web_caa", "CAA for domain"),
        .webHTTPSCertChain: ("web_https", "cert_trust", "Trust chain of certificate"),
        .webHTTPSCertPubkey: ("web_https", "cert_pubkey", "Public key of certificate"),
        .webHTTPSCertSig: ("web_https", "cert_signature", "Signature on certificate"),
        .webHTTPSCertDomain: ("web_https", "cert_hostmatch", "Domain name on certificate"),
        .webHTTPSDANEExist: ("web_https", "dane_exists", "DANE existence"),
        .webHTTPSDANEValid: ("web_https", "dane_valid", "DANE validity"),
        .webAppsecprivXFrameOptions: ("web_appsecpriv", "http_x_frame", "X-Frame-Options"),
        .webAppsecprivXContentTypeOptions: ("web_appsecpriv", "http_x_content_type", "X-Content-Type-Options"),
        .webAppsecprivCSP: ("web_appsecpriv", "http_csp", "Content-Security-Policy"),
        .webAppsecprivReferrerPolicy: ("web_appsecpriv", "http_referrer_policy", "Referrer-Policy"),
        .webAppsecprivSecurityTxt: ("web_appsecpriv", "http_securitytxt", "security.txt"),
        .webRPKIExists: ("web_rpki", "web_rpki_exists", "Route Origin Authorisation existence"),
        .webRPKIValid: ("web_rpki", "web_rpki_valid", "Route announcement validity"),
        .webNSRPKIExists: ("web_rpki", "ns_rpki_exists", "Route Origin Authorisation existence"),
        .webNSRPKIValid: ("web_rpki", "ns_rpki_valid", "Route announcement validity"),
        .mailIPv6NSAddress: ("mail_ipv6", "ns_aaaa", "IPv6 addresses for name servers"),
        .mailIPv6NSReach: ("mail_ipv6", "ns_reach", "IPv6 reachability of name servers"),
        .mailIPv6MXAddress: ("mail_ipv6", "mx_aaaa", "IPv6 addresses for mail server(s)"),
        .mailIPv6MXReach: ("mail_ipv6", "mx_reach", "IPv6 reachability of mail server(s)"),
        .mailDNSSECMailtoExist: ("mail_dnssec", "dnssec_exists", "DNSSEC existence"),
        .mailDNSSECMailtoValid: ("mail_dnssec", "dnssec_valid", "DNSSEC validity"),
        .mailDNSSECMXExist: ("mail_dnssec", "dnssec_mx_exists", "DNSSEC existence"),
        .mailDNSSECMXValid: ("mail_dnssec", "dnssec_mx_valid", "DNSSEC validity"),
        .mailAuthDMARCExist: ("mail_auth", "dmarc", "DMARC existence"),
        .mailAuthDMARCPolicy: ("mail_auth", "dmarc_policy", "DMARC policy"),
        .mailAuthDKIMExist: ("mail_auth", "dkim", "DKIM existence"),
        .mailAuthSPFExist: ("mail_auth", "spf", "SPF existence"),
        .mailAuthSPFPolicy: ("mail_auth", "spf_policy", "SPF policy"),
        .mailSTARTTLSTLSAvailable: ("mail_starttls", "starttls_exists", "STARTTLS available"),
        .mailSTARTTLSTLSVersion: ("mail_starttls", "tls_version", "TLS version"),
        .mailSTARTTLSTLSCiphers: ("mail_starttls", "tls_ciphers", "Cipher suites"),
        .mailSTARTTLSTLSCipherOrder: ("mail_starttls", "tls_cipher_order", "Cipher suite order"),
        .mailSTARTTLSTLSKeyExchange: ("mail_starttls", "fs_params", "Parameters for key exchange"),
        .mailSTARTTLSTLSKeyExchangeHash: ("mail_starttls", "kex_hash_func", "Hash function for key exchange"),
        .mailSTARTTLSTLSCompress: ("mail_starttls", "tls_compression", "TLS compression"),
        .mailSTARTTLSTLSSecureRenegotiation: ("mail_starttls", "renegotiation_secure", "Secure renegotiation"),
        .mailSTARTTLSTLSClientRenegotiation: ("mail_starttls", "renegotiation_client", "Client-initiated renegotiation"),
        .mailSTARTTLSTLSExtendedMasterSecret: ("mail_starttls", "extended_master_secret", "Extended Master Secret (EMS)"),
        .mailSTARTTLSTLSZeroRTT: ("mail_starttls", "zero_rtt", "0-RTT"),
        .mailSTARTTLSTLSCAA: ("mail_starttls", "mail_caa", "CAA for mail server"),
        .mailSTARTTLSCertChain: ("mail_starttls", "cert_trust", "Trust chain of certificate"),
        .mailSTARTTLSCertPubkey: ("mail_starttls", "cert_pubkey", "Public key of certificate"),
        .mailSTARTTLSCertSig: ("mail_starttls", "cert_signature", "Signature on certificate"),
        .mailSTARTTLSCertDomain: ("mail_starttls", "cert_hostmatch", "Domain name on certificate"),
        .mailSTARTTLSDANEExist: ("mail_starttls", "dane_exists", "DANE existence"),
        .mailSTARTTLSDANEValid: ("mail_starttls", "dane_valid", "DANE validity"),
        .mailSTARTTLSDANERollover: ("mail_starttls", "dane_rollover", "DANE rollover scheme"),
        .mailRPKIExists: ("mail_rpki", "mail_rpki_exists", "Route Origin Authorisation existence"),
        .mailRPKIValid: ("mail_rpki", "mail_rpki_valid", "Route announcement validity"),
        .mailNSRPKIExists: ("mail_rpki", "ns_rpki_exists", "Route Origin Authorisation existence"),
        .mailNSRPKIValid: ("mail_rpki", "ns_rpki_valid", "Route announcement validity"),
        .mailMXNSRPKIExists: ("mail_rpki", "mail_mx_ns_rpki_exists", "Route Origin Authorisation existence"),
        .mailMXNSRPKIValid: ("mail_rpki", "mail_mx_ns_rpki_valid", "Route announcement validity"),
    ]
}
