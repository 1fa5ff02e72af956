extension TwinWorld {
    /// The twin with only the domains `names` and those their DNS answers depend on: a twin
    /// domain whose name or web host is, or lies above, one of their names, web hosts or mail
    /// hosts (a parent zone on their delegation and DNSSEC chain, or where climbing for CAA
    /// stops), and so on for those; and only the platforms they use: each kept domain's web
    /// platform and the mail platforms its MX hosts are on. Providers and service zones stay, so a
    /// kept domain's zones, endpoints and truth are those of the whole twin. For a test that
    /// measures a few hundred domains without bringing up all 2,466 domains' zones and all 2,017
    /// platforms' endpoints; names not in the twin are ignored.
    public func restricted(to names: some Sequence<String>) -> TwinWorld {
        let byName = Dictionary(domains.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let byWebHost = Dictionary(domains.map { ($0.web.host, $0) }, uniquingKeysWith: { first, _ in first })
        var kept: Set<String> = []
        var waiting = Array(names)
        while let name = waiting.popLast() {
            guard let domain = byName[name], kept.insert(name).inserted else { continue }
            for start in [domain.name, domain.web.host] + domain.mail.mx.map(\.host) {
                var current: String? = start
                while let above = current, !above.isEmpty {
                    waiting += [byName[above]?.name, byWebHost[above]?.name].compactMap { $0 }.filter { !kept.contains($0) }
                    current = DNSName.parent(of: above)
                }
            }
        }
        var restricted = self
        restricted.domains = domains.filter { kept.contains($0.name) }
        let webPlatformsUsed = Set(restricted.domains.map(\.web.platform))
        let mailHostsUsed = Set(restricted.domains.flatMap { $0.mail.mx.map(\.host) })
        restricted.webPlatforms = webPlatforms.filter { webPlatformsUsed.contains($0.id) }
        restricted.mailPlatforms = mailPlatforms.filter { $0.hostNames.contains(where: mailHostsUsed.contains) }
        return restricted
    }
}
