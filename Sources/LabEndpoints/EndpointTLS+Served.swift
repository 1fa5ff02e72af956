import COpenSSL

extension EndpointTLS {
    static let versionOrder = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]

    /// The profile's versions, lowest first (unknown names dropped).
    var orderedVersions: [String] { Self.versionOrder.filter(versions.contains) }

    /// Whether a version between the lowest and the highest is missing (`TLSv1` + `TLSv1.2`).
    var hasVersionHole: Bool {
        guard let low = orderedVersions.first.flatMap(Self.versionOrder.firstIndex),
              let high = orderedVersions.last.flatMap(Self.versionOrder.firstIndex) else { return false }
        return high - low + 1 != orderedVersions.count
    }

    /// TLS 1.3 suite names (`TLS_…`) of the profile.
    var tls13Suites: [String] { ciphers.filter { $0.hasPrefix("TLS_") } }

    /// The TLS ≤ 1.2 cipher names exactly as the endpoint server configures them (EC twins of
    /// `ECDHE-RSA-` names with an EC key, `ECDHE-…-AES128-SHA` added when TLS 1.0/1.1 is on
    /// but nothing else works there), so nginx and Postfix serve the same set. Empty when TLS
    /// 1.2 and below are off.
    var servedLegacyCiphers: [String] {
        let order = ["TLSv1": TLS1_VERSION, "TLSv1.1": TLS1_1_VERSION, "TLSv1.2": TLS1_2_VERSION, "TLSv1.3": TLS1_3_VERSION]
        guard let lowest = orderedVersions.first.flatMap({ order[$0] }), lowest < TLS1_3_VERSION else { return [] }
        return EndpointTLSContext.legacyCiphers(self, lowest: lowest)
    }

    /// ECDHE groups (the `ffdhe` ones are not configurable here).
    var servedGroups: [String] { groups.filter { !$0.hasPrefix("ffdhe") } }

    /// Profile cipher names this OpenSSL does not have (3DES, RC4): the endpoint server skips
    /// them; a real server's configuration cannot promise them either.
    var missingCiphers: [String] {
        ciphers.filter { !$0.hasPrefix("TLS_") && !Self.knownCiphers.contains($0) }
    }

    /// The TLS ≤ 1.2 cipher names this OpenSSL has at security level 0.
    static let knownCiphers = Set(EndpointTLSContext.availableCiphers())
}

extension EndpointSoftware {
    /// What this software cannot serve of `platform` as the plan says: empty when it serves all
    /// of it. nginx and Postfix accept or refuse; neither makes a silent port, leaves a hole in
    /// the TLS versions, or allows client renegotiation; nginx has no DHE without a parameter
    /// file; Postfix 3.7 cannot choose TLS 1.3 suites (OpenSSL's default three are served).
    public func problems(_ platform: EndpointPlatform) -> [String] {
        var problems: [String] = []
        let tls = platform.tls
        switch (self, platform.service) {
        case (.nginx, .mail), (.postfix, .web): problems.append("\(rawValue) does not serve \(platform.service.rawValue) platforms")
        default: break
        }
        let allowed: Set<Int> = self == .nginx ? [80, 443] : [25]
        for address in platform.addresses {
            for port in address.ports where port.mode != .serve || !allowed.contains(port.port) {
                problems.append("\(address.address) port \(port.port) \(port.mode.rawValue): \(rawValue) only accepts or refuses")
            }
        }
        if tls.hasVersionHole { problems.append("versions \(tls.versions) leave a hole") }
        if tls.clientRenegotiation { problems.append("client-initiated renegotiation") }
        if !tls.missingCiphers.isEmpty { problems.append("ciphers OpenSSL lacks: \(tls.missingCiphers)") }
        if tls.groups.contains(where: { $0.hasPrefix("ffdhe") }) { problems.append("ffdhe groups") }
        if self == .nginx, tls.ciphers.contains(where: { $0.hasPrefix("DHE-") }) { problems.append("DHE ciphers") }
        if self == .postfix, !tls.tls13Suites.isEmpty, tls.tls13Suites.sorted() != Self.defaultTLS13Suites.sorted() {
            problems.append("TLS 1.3 suites other than OpenSSL's default")
        }
        return problems.map { "\(platform.id) on \(rawValue): \($0)" }
    }

    /// OpenSSL 3's default TLS 1.3 suites.
    static let defaultTLS13Suites = ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"]
}
