import PeilModel

/// One expected bulk status and the cause behind it.
public struct TwinColumn: Codable, Sendable, Hashable {
    public var status: String
    public var because: String
    /// When the status is the March 2021 report's rather than the rule set's: the derived one.
    public var derived: String?

    public init(status: String, because: String, derived: String? = nil) {
        self.status = status
        self.because = because
        self.derived = derived
    }
}

/// The ground truth for one domain: the 8 web and 12 mail bulk columns with their causes, and
/// the DNS facts a correct resolver finds.
public struct TwinDomainTruth: Codable, Sendable, Hashable {
    public var domain: String
    public var webHost: String
    public var layer: String
    public var sets: [String]
    public var web: [String: TwinColumn]
    public var mail: [String: TwinColumn]
    public var facts: DNSFacts
}

extension TwinWorld {
    /// The ground truth of every domain, sorted by name, under the `internetnl-2021` rules.
    public func truth() -> [TwinDomainTruth] {
        truth(compiled: TwinCompiler.labWorld(self))
    }

    /// The ground truth, given the compiled lab world (saves compiling twice).
    public func truth(compiled: LabWorld) -> [TwinDomainTruth] {
        let judge = TwinJudge(twin: self, lab: compiled)
        return domains.sorted { $0.name < $1.name }.map(judge.truth)
    }
}

/// Derives the bulk columns of a domain from the twin's causes and the compiled zones.
struct TwinJudge {
    let twin: TwinWorld
    let index: WorldIndex
    let oracle: LabOracle
    let webPlatforms: [String: TwinWebPlatform]
    let mailPlatformByHost: [String: TwinMailPlatform]
    let profiles: [String: TwinTLSProfile]
    let silentNameservers: Set<String>

    init(twin: TwinWorld, lab: LabWorld) {
        self.twin = twin
        index = WorldIndex(lab)
        oracle = LabOracle(index)
        webPlatforms = Dictionary(twin.webPlatforms.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var byHost: [String: TwinMailPlatform] = [:]
        for platform in twin.mailPlatforms { for host in platform.hostNames { byHost[host] = platform } }
        mailPlatformByHost = byHost
        profiles = Dictionary((TwinTLSCatalogue.profiles + twin.tlsProfiles).map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        silentNameservers = Set(lab.serverGroups.flatMap(\.nameservers).filter { $0.ipv6Silent == true }.map(\.host))
    }

    func truth(_ domain: TwinDomain) -> TwinDomainTruth {
        let facts = oracle.facts(LabDomain(name: domain.name, webHost: domain.web.host))
        var mail = mailColumns(domain, facts)
        for (column, status) in domain.reported where mail[column] != nil && mail[column]?.status != status {
            let derived = mail[column]!
            mail[column] = TwinColumn(status: status, because: "as reported in March 2021 (\(derived.because))", derived: derived.status)
        }
        return TwinDomainTruth(domain: domain.name, webHost: domain.web.host, layer: domain.layer, sets: domain.sets,
                               web: webColumns(domain), mail: mail, facts: facts)
    }

    /// Why a name's DNSSEC status is what it is.
    func dnssec(of name: String) -> (status: DNSSECStatus, because: String) {
        guard let zone = index.zoneContaining(name) else { return (.error, "no zone holds \(name)") }
        for link in index.chain(to: zone) where link.dnssec != .signed {
            let where_ = link.name.isEmpty ? "the root" : link.name
            let status: DNSSECStatus = link.dnssec.hasDS && link.dnssec != .signed ? .bogus : .insecure
            return (status, "\(where_): \(link.dnssec.rawValue)")
        }
        return (.secure, "signed from the root down to \(zone.name)")
    }

    /// The IPv6 nameserver verdict for the NS set found by climbing from `name`.
    func ipv6Nameservers(of name: String) -> TwinColumn {
        guard let zone = index.zoneContaining(name), let group = index.group(zone.servers) else {
            return TwinColumn(status: "failed", because: "no nameservers")
        }
        let withAAAA = group.nameservers.filter { $0.ipv6 != nil }
        let silent = withAAAA.filter { silentNameservers.contains($0.host) }
        if withAAAA.count < 2 { return TwinColumn(status: "failed", because: "\(withAAAA.count) of \(group.nameservers.count) nameservers of \(group.id) have AAAA") }
        if !silent.isEmpty { return TwinColumn(status: "failed", because: "\(silent.map(\.host).joined(separator: ", ")) does not answer over IPv6") }
        return TwinColumn(status: "passed", because: "\(withAAAA.count) nameservers of \(group.id) with AAAA, all answering")
    }

    func webColumns(_ domain: TwinDomain) -> [String: TwinColumn] {
        var columns: [String: TwinColumn] = [:]
        let web = domain.web
        let dnssec = dnssec(of: web.host)
        columns["dnssec"] = TwinColumn(status: dnssec.status == .secure ? "passed" : "failed", because: "\(dnssec.status.rawValue): \(dnssec.because)")
        columns["ipv6_nameserver"] = ipv6Nameservers(of: web.host)
        let platform = webPlatforms[web.platform]
        let ipv6: TwinColumn = switch platform?.ipv6Service ?? .none {
        case .answering: TwinColumn(status: "passed", because: "AAAA on \(web.platform), reachable on 80 and 443")
        case .none: TwinColumn(status: "failed", because: "no AAAA")
        case .silent: TwinColumn(status: "failed", because: "AAAA on \(web.platform) does not answer")
        case .fewerPorts: TwinColumn(status: "failed", because: "fewer ports open over IPv6 than over IPv4 on \(web.platform)")
        }
        columns["ipv6_webserver"] = ipv6
        let category = columns["ipv6_nameserver"]!.status == "passed" && ipv6.status == "passed"
        columns["ipv6_web"] = TwinColumn(status: category ? "passed" : "failed", because: category ? "nameservers and web server" : "nameservers or web server fail")
        if platform?.https == .refused {
            columns["tls_available"] = TwinColumn(status: "failed", because: "port 443 on \(web.platform) refuses connections: HTTP only")
            columns["https_redirect"] = TwinColumn(status: "failed", because: "no HTTPS to redirect to")
            for column in ["tls_ncsc", "hsts"] { columns[column] = TwinColumn(status: "not_tested", because: "no HTTPS") }
            return columns
        }
        guard let platform, platform.https == .tls, let profile = profiles[platform.tlsProfile] else {
            for column in ["tls_available", "tls_ncsc", "https_redirect", "hsts"] {
                columns[column] = TwinColumn(status: "error", because: "port 443 on \(web.platform) does not answer")
            }
            return columns
        }
        columns["tls_available"] = TwinColumn(status: "passed", because: "HTTPS on \(platform.id)")
        let findings = TwinTLSCatalogue.findings(profile, service: .web)
        columns["tls_ncsc"] = TwinColumn(status: TwinTLSCatalogue.status(profile, service: .web),
                                         because: "profile \(profile.id)" + (findings.isEmpty ? "" : ": " + findings.map { "\($0.item) (\($0.status))" }.joined(separator: ", ")))
        columns["https_redirect"] = TwinColumn(status: web.redirect == .sameHostHTTPS ? "passed" : "failed", because: "\(web.redirect.rawValue) on the first hop")
        columns["hsts"] = Self.hsts(web.hsts)
        return columns
    }

    /// HSTS under both rule sets' minimum of one year.
    static func hsts(_ value: String?) -> TwinColumn {
        guard let value else { return TwinColumn(status: "failed", because: "no Strict-Transport-Security header") }
        let maxAge = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .first { $0.hasPrefix("max-age=") }.flatMap { Int($0.dropFirst(8)) }
        guard let maxAge else { return TwinColumn(status: "failed", because: "unparsable '\(value)'") }
        return maxAge >= 31_536_000 ? TwinColumn(status: "passed", because: "max-age=\(maxAge)")
            : TwinColumn(status: "failed", because: "max-age=\(maxAge) is less than a year")
    }
}
