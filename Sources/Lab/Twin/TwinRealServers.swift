import PeilModel
/// Software that serves a platform in place of the lab's own endpoint server.
public enum TwinServerSoftware: String, Codable, Sendable, Hashable {
    /// Debian's nginx, for web platforms.
    case nginx
    /// Debian's Postfix, for mail platforms.
    case postfix
}

/// Which platforms real nginx and Postfix serve, so verdicts are also checked against software
/// nobody here wrote. A pass over a finished world with no random draws, so the rest of the
/// world (and its truth) is what it was: deterministic per seed.
///
/// Only platforms whose every behaviour the real server expresses are taken: no silent port
/// (nginx and Postfix can only accept or refuse), and a TLS profile from ``servedProfiles``. Among
/// those, self-hosted platforms with one domain in a signed zone, chosen greedily to cover
/// redirects, HSTS values, IPv6 services, STARTTLS and DANE.
public enum TwinRealServers {
    /// Profiles that nginx and Postfix serve exactly as the world says (no client
    /// renegotiation, no version hole, no 3DES, secure renegotiation).
    public static let servedProfiles: Set<String> = [
        "modern", "modern-rsa", "no-ocsp-stapling", "legacy-versions", "cbc-sufficient", "rsa-key-exchange",
        "self-signed", "expired-certificate", "wrong-name", "weak-key",
    ]

    /// One nginx platform per profile in this order, then one HTTP-only platform (443 refused).
    static let webProfiles = ["modern", "modern-rsa", "legacy-versions", "cbc-sufficient", "rsa-key-exchange",
                              "self-signed", "expired-certificate", "wrong-name", "weak-key", "no-ocsp-stapling"]

    /// The Postfix platforms wanted, in order: a modern profile with valid DANE, DANE mismatch,
    /// TLS 1.0/1.1 on, no STARTTLS, a certificate that is not trusted (informational for mail).
    static let mailWanted: [@Sendable (TwinMailPlatform, TwinTLSProfile?) -> Bool] = [
        { platform, _ in platform.smtp == .starttls && platform.tlsa == .valid && ["modern", "modern-rsa"].contains(platform.tlsProfile) },
        { platform, _ in platform.smtp == .starttls && platform.tlsa == .mismatch },
        { platform, profile in platform.smtp == .starttls && profile?.versions.first == "TLSv1" },
        { platform, _ in platform.smtp == .noStarttls },
        { platform, profile in platform.smtp == .starttls && profile?.certificate != "valid" },
    ]

    /// Marks the chosen platforms of `world` (`server` set), leaving everything else as it is.
    public static func mark(_ world: inout TwinWorld) {
        let catalogue = Dictionary(world.tlsProfiles.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let domainsByWeb = Dictionary(grouping: world.domains, by: \.web.platform)
        var domainsByMX: [String: [TwinDomain]] = [:]
        for domain in world.domains {
            for host in Set(domain.mail.mx.map(\.host)) where !host.isEmpty { domainsByMX[host, default: []].append(domain) }
        }
        func simple(_ domains: [TwinDomain]) -> Bool {
            domains.count == 1 && domains[0].web.zone == nil && domains[0].dnssec == .signed && DNSName.depth(domains[0].name) == 2
        }
        var covered: Set<String> = []
        let web = world.webPlatforms.indices.filter { position in
            let platform = world.webPlatforms[position]
            return platform.provider == "self" && platform.https != .silent && platform.ipv6Service != .silent
                && servedProfiles.contains(platform.tlsProfile) && catalogue[platform.tlsProfile] != nil
                && simple(domainsByWeb[platform.id] ?? [])
        }
        func webFeatures(_ position: Int) -> Set<String> {
            let platform = world.webPlatforms[position], domain = domainsByWeb[platform.id]![0]
            return ["redirect \(domain.web.redirect)", "hsts \(TwinJudge.hsts(domain.web.hsts).status.rawValue) \(domain.web.hsts == nil)",
                    "ipv6 \(platform.ipv6Service)", "apex \(domain.mail.apexAddress)", "content \(domain.web.differentContentOverIPv6)"]
        }
        let platforms = world.webPlatforms
        let webWanted: [(Int) -> Bool] = webProfiles.map { id in { platforms[$0].https == .tls && platforms[$0].tlsProfile == id } }
            + [{ platforms[$0].https == .refused }]
        for wanted in webWanted {
            guard let best = pick(web.filter(wanted), features: webFeatures, covered: &covered, id: { world.webPlatforms[$0].id }) else { continue }
            world.webPlatforms[best].server = .nginx
        }
        let mail = world.mailPlatforms.indices.filter { position in
            let platform = world.mailPlatforms[position]
            return platform.provider == "self" && platform.hostNames.count == 1 && platform.smtp != .silent
                && [.none, .answering].contains(platform.ipv6Service) && servedProfiles.contains(platform.tlsProfile)
                && simple(domainsByMX[platform.hostNames[0]] ?? [])
        }
        func mailFeatures(_ position: Int) -> Set<String> {
            let platform = world.mailPlatforms[position]
            return ["ipv6 \(platform.ipv6Service)", "tlsa \(platform.tlsa)", "smtp \(platform.smtp)", "mail profile \(platform.tlsProfile)"]
        }
        for wanted in mailWanted {
            let matching = mail.filter { wanted(world.mailPlatforms[$0], catalogue[world.mailPlatforms[$0].tlsProfile]) }
            guard let best = pick(matching, features: mailFeatures, covered: &covered, id: { world.mailPlatforms[$0].id }) else { continue }
            world.mailPlatforms[best].server = .postfix
        }
    }

    /// The candidate adding most uncovered features (ties: the smallest id); not one already taken.
    private static func pick(_ candidates: [Int], features: (Int) -> Set<String>, covered: inout Set<String>, id: (Int) -> String) -> Int? {
        let fresh = candidates.filter { !covered.contains("platform " + id($0)) }
        let best = fresh.min { first, second in
            let gains = (features(first).subtracting(covered).count, features(second).subtracting(covered).count)
            return gains.0 != gains.1 ? gains.0 > gains.1 : id(first) < id(second)
        }
        if let best { covered.formUnion(features(best).union(["platform " + id(best)])) }
        return best
    }
}
