import PeilModel

/// The ground truth for one domain: the 8 web and 12 mail bulk columns with their causes, the
/// web and mail subtests the twin varies beyond them (``TwinJudge/webSecuritySubtests(_:facts:available:)``,
/// ``TwinJudge/sameWebsite(_:)``, ``TwinJudge/mailSubtests(_:)``) and the DNS facts a correct resolver finds.
public struct TwinDomainTruth: Codable, Sendable, Hashable {
    public var domain: String
    public var webHost: String
    public var layer: String
    public var sets: [String]
    public var web: [String: StatusCell]
    public var mail: [String: StatusCell]
    /// By rule set (`internetnl-current`, `internetnl-2021`), by Internet.nl's batch name: the
    /// security header, CAA, DANE, security.txt and same-website (`web_ipv6_ws_similar`)
    /// subtests of the web test and the mail servers' CAA (and Peil's own `mail_tlsrpt`).
    public var subtests: [String: [String: StatusCell]]
    public var facts: DNSFacts

    public init(domain: String, webHost: String, layer: String, sets: [String], web: [String: StatusCell], mail: [String: StatusCell],
                subtests: [String: [String: StatusCell]] = [:], facts: DNSFacts) {
        self.domain = domain
        self.webHost = webHost
        self.layer = layer
        self.sets = sets
        self.web = web
        self.mail = mail
        self.subtests = subtests
        self.facts = facts
    }
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
    /// Domains by web host (where a CAA set found by climbing was put).
    let domainByWebHost: [String: TwinDomain]
    let mailPlatformByHost: [String: TwinMailPlatform]
    let profiles: [String: TwinTLSProfile]
    let silentNameservers: Set<String>

    init(twin: TwinWorld, lab: LabWorld) {
        self.twin = twin
        index = WorldIndex(lab)
        oracle = LabOracle(index)
        webPlatforms = Dictionary(twin.webPlatforms.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        domainByWebHost = Dictionary(twin.domains.map { ($0.web.host, $0) }, uniquingKeysWith: { first, _ in first })
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
            mail[column] = StatusCell(status, "as reported in March 2021 (\(derived.because))", derived: derived.status)
        }
        let web = webColumns(domain)
        var subtests = webSecuritySubtests(domain, facts: facts, available: web["tls_available"])
        let mailSubtests = mailSubtests(facts)
        for ruleSet in subtests.keys { subtests[ruleSet]?.merge(mailSubtests) { first, _ in first } }
        let similar = sameWebsite(domain)
        for ruleSet in subtests.keys { subtests[ruleSet]?[SubtestID.webIPv6WSSimilar.rawValue] = similar }
        return TwinDomainTruth(domain: domain.name, webHost: domain.web.host, layer: domain.layer, sets: domain.sets, web: web, mail: mail,
                               subtests: subtests, facts: facts)
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
    func ipv6Nameservers(of name: String) -> StatusCell {
        guard let zone = index.zoneContaining(name), let group = index.group(zone.servers) else {
            return StatusCell(.failed, "no nameservers")
        }
        let withAAAA = group.nameservers.filter { $0.ipv6 != nil }
        let silent = withAAAA.filter { silentNameservers.contains($0.host) }
        if withAAAA.count < 2 { return StatusCell(.failed, "\(withAAAA.count) of \(group.nameservers.count) nameservers of \(group.id) have AAAA") }
        if !silent.isEmpty { return StatusCell(.failed, "\(silent.map(\.host).joined(separator: ", ")) does not answer over IPv6") }
        return StatusCell(.passed, "\(withAAAA.count) nameservers of \(group.id) with AAAA, all answering")
    }

    func webColumns(_ domain: TwinDomain) -> [String: StatusCell] {
        var columns: [String: StatusCell] = [:]
        let web = domain.web
        let dnssec = dnssec(of: web.host)
        columns["dnssec"] = StatusCell(dnssec.status.columnStatus, "\(dnssec.status.rawValue): \(dnssec.because)")
        columns["ipv6_nameserver"] = ipv6Nameservers(of: web.host)
        let platform = webPlatforms[web.platform]
        let ipv6: StatusCell = switch platform?.ipv6Service ?? .none {
        case .answering: StatusCell(.passed, "AAAA on \(web.platform), reachable on 80 and 443")
        case .none: StatusCell(.failed, "no AAAA")
        case .silent: StatusCell(.failed, "AAAA on \(web.platform) does not answer")
        case .fewerPorts: StatusCell(.failed, "fewer ports open over IPv6 than over IPv4 on \(web.platform)")
        }
        columns["ipv6_webserver"] = ipv6
        let category = Status.category(ofMandatory: [columns["ipv6_nameserver"]!.status, ipv6.status])
        columns["ipv6_web"] = StatusCell(category, category == .passed ? "nameservers and web server" : "nameservers or web server fail")
        if platform?.https == .refused {
            columns["tls_available"] = StatusCell(.failed, "port 443 on \(web.platform) refuses connections: HTTP only")
            columns["https_redirect"] = StatusCell(.failed, "no HTTPS to redirect to")
            for column in ["tls_ncsc", "hsts"] { columns[column] = StatusCell(.notTested, "no HTTPS") }
            return columns
        }
        guard let platform, platform.https == .tls, let profile = profiles[platform.tlsProfile] else {
            for column in ["tls_available", "tls_ncsc", "https_redirect", "hsts"] {
                columns[column] = StatusCell(.error, "port 443 on \(web.platform) does not answer")
            }
            return columns
        }
        columns["tls_available"] = StatusCell(.passed, "HTTPS on \(platform.id)")
        let findings = TwinTLSCatalogue.findings(profile, service: .web)
        columns["tls_ncsc"] = StatusCell(TwinTLSCatalogue.status(profile, service: .web),
                                         "profile \(profile.id)" + (findings.isEmpty ? "" : ": " + findings.map { "\($0.item) (\($0.status.rawValue))" }.joined(separator: ", ")))
        columns["https_redirect"] = StatusCell(web.redirect == .sameHostHTTPS ? .passed : .failed, "\(web.redirect.rawValue) on the first hop")
        columns["hsts"] = Self.hsts(web.hsts)
        return columns
    }

    /// HSTS under both rule sets' minimum of one year.
    static func hsts(_ value: String?) -> StatusCell {
        guard let value else { return StatusCell(.failed, "no Strict-Transport-Security header") }
        let maxAge = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .first { $0.hasPrefix("max-age=") }.flatMap { Int($0.dropFirst(8)) }
        guard let maxAge else { return StatusCell(.failed, "unparsable '\(value)'") }
        return maxAge >= 31_536_000 ? StatusCell(.passed, "max-age=\(maxAge)")
            : StatusCell(.failed, "max-age=\(maxAge) is less than a year")
    }
}
