import PeilModel

/// Where a TLS configuration is judged: HTTPS, or SMTP after STARTTLS (where certificate
/// trust and name are informational and OCSP stapling is not tested).
public enum TwinService: String, Sendable, Hashable {
    case web, mail
}

/// The TLS profiles the generator uses, and how the `internetnl-2021` rules (NCSC TLS
/// guidelines 2.1) judge a profile: the worst of its items.
public enum TwinTLSCatalogue {
    static let good13 = ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"]
    static let good12 = ["ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-RSA-AES128-GCM-SHA256"]
    /// Phase-out under NCSC 2.1 (as Internet.nl applied it in 2021): RSA key exchange and 3DES.
    /// CBC with SHA-2 after ECDHE, and DHE, were still "sufficient" then (a DHE group is judged
    /// on its own: see the groups).
    static let phaseOutCiphers: Set<String> = ["AES256-GCM-SHA384", "AES128-SHA", "DES-CBC3-SHA"]
    static let goodCiphers = Set(good13 + good12 + ["ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-GCM-SHA256",
                                                    "ECDHE-RSA-AES256-SHA384", "ECDHE-RSA-AES128-SHA256", "DHE-RSA-AES256-GCM-SHA384"])
    /// Profiles the lab cannot serve yet, which the generator therefore never picks: OpenSSL
    /// always offers secure renegotiation (RFC 5746), and Debian's OpenSSL 3 has no 3DES.
    static let notServed: Set<String> = ["no-secure-renegotiation", "legacy-3des"]

    private static func profile(_ id: String, versions: [String] = ["TLSv1.2", "TLSv1.3"], extra: [String] = [], groups: [String] = [],
                                certificate: String = "valid", key: String = "ec-p256", ocsp: Bool = true, secure: Bool = true,
                                client: Bool = false) -> TwinTLSProfile {
        TwinTLSProfile(id: id, versions: versions, ciphers: good13 + good12 + extra, groups: ["X25519", "P-256"] + groups, certificate: certificate,
                       key: key, ocspStapling: ocsp, secureRenegotiation: secure, clientRenegotiation: client)
    }

    /// Every profile, by id.
    public static let profiles: [TwinTLSProfile] = [
        profile("modern"),
        profile("modern-rsa", key: "rsa-3072"),
        profile("no-ocsp-stapling", ocsp: false),
        profile("client-renegotiation", client: true),
        profile("legacy-versions", versions: ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]),
        profile("cbc-sufficient", versions: ["TLSv1.2"], extra: ["ECDHE-RSA-AES256-SHA384", "ECDHE-RSA-AES128-SHA256"], key: "rsa-3072"),
        profile("dhe-2048", versions: ["TLSv1.2"], extra: ["DHE-RSA-AES256-GCM-SHA384"], groups: ["ffdhe2048"], key: "rsa-2048"),
        profile("rsa-key-exchange", extra: ["AES256-GCM-SHA384", "AES128-SHA"], key: "rsa-2048"),
        profile("self-signed", certificate: "self-signed"),
        profile("expired-certificate", certificate: "expired"),
        profile("wrong-name", certificate: "wrong-name"),
        profile("weak-key", key: "rsa-1024"),
        profile("no-secure-renegotiation", secure: false),
        profile("legacy-3des", versions: ["TLSv1", "TLSv1.2"], extra: ["DES-CBC3-SHA"], key: "rsa-2048"),
    ]

    /// The findings of a profile, each with its status, worst first ordering not implied.
    public static func findings(_ profile: TwinTLSProfile, service: TwinService) -> [(item: String, status: Status)] {
        var findings: [(String, Status)] = []
        for version in profile.versions {
            switch version {
            case "TLSv1.2", "TLSv1.3": break
            case "TLSv1", "TLSv1.1": findings.append(("version \(version)", .warning))
            default: findings.append(("version \(version)", .failed))
            }
        }
        for cipher in profile.ciphers where !goodCiphers.contains(cipher) {
            findings.append(("cipher \(cipher)", phaseOutCiphers.contains(cipher) ? .warning : .failed))
        }
        // 2021: ECDH judged by size (all these pass), ffdhe2048 phase-out, ffdhe3072+ good.
        for group in profile.groups where !["X25519", "X448", "P-256", "P-384", "P-521", "ffdhe3072", "ffdhe4096"].contains(group) {
            findings.append(("group \(group)", group == "ffdhe2048" ? .warning : .failed))
        }
        if profile.certificate != "valid" {
            findings.append(("certificate \(profile.certificate)", service == .web ? .failed : .info))
        }
        if profile.key == "rsa-1024" { findings.append(("key \(profile.key)", .failed)) }
        if !profile.secureRenegotiation { findings.append(("no secure renegotiation", .failed)) }
        if profile.clientRenegotiation { findings.append(("client-initiated renegotiation accepted", .info)) }
        if !profile.ocspStapling && service == .web { findings.append(("no OCSP stapling", .info)) }
        return findings
    }

    /// The bulk `tls_ncsc` / `starttls_ncsc` status of a profile: failed, warning, info or passed.
    public static func status(_ profile: TwinTLSProfile, service: TwinService) -> Status {
        Status.worst(of: findings(profile, service: service).map(\.status)) ?? .passed
    }

    /// Profile ids whose status for `service` is `status`.
    static func ids(giving status: Status, for service: TwinService) -> [String] {
        profiles.filter { Self.status($0, service: service) == status && !notServed.contains($0.id) }.map(\.id)
    }
}
