/// Turns a ``TwinWorld`` into the ``LabWorld`` the lab serves: the root and TLDs, one server
/// group per DNS provider, provider and service zones, an organisation zone above any domain
/// whose parent is not a zone yet, every domain's zone, delegated web zones, and the records
/// (addresses, MX, SPF, DMARC, DKIM, CAA, TLSA) the world's causes call for. Pure.
public enum TwinCompiler {
    /// The root's and the TLDs' nameservers: the first addresses of the nameserver pool
    /// (generators start providers at ``firstProviderAddress``).
    static let infrastructure: [(group: String, host: String, index: Int)] = [
        ("root", "ns.root-servers.lab", 0), ("nl", "ns1.dns.nl", 1), ("nl", "ns2.dns.nl", 2),
        ("tld", "a.tld-servers.lab", 3), ("tld", "b.tld-servers.lab", 4),
    ]
    /// The first nameserver-pool index free for providers.
    public static let firstProviderAddress = 8

    /// TLSA data for a platform's key (`valid`) or for a key it does not present (`mismatch`).
    /// Stand-ins until the endpoints of the web and mail issues publish their real key digests.
    public static func tlsaData(_ tlsa: TwinTLSA, service: TwinService, platform: String) -> String? {
        switch tlsa {
        case .none: nil
        case .valid: "3 1 1 " + LabDigest.hex("\(service.rawValue)-key \(platform)")
        case .mismatch: "3 1 1 " + LabDigest.hex("\(service.rawValue)-other-key \(platform)")
        }
    }

    /// The lab world of a twin.
    public static func labWorld(_ twin: TwinWorld) -> LabWorld {
        var groups = [LabServerGroup]()
        for (id, entries) in [("root", infrastructure.filter { $0.group == "root" }), ("nl", infrastructure.filter { $0.group == "nl" }),
                              ("tld", infrastructure.filter { $0.group == "tld" })] {
            groups.append(LabServerGroup(id: id, nameservers: entries.map {
                LabNameserver(host: $0.host, ipv4: LabAddressPlan.ipv4(.nameserver, $0.index), ipv6: LabAddressPlan.ipv6(.nameserver, $0.index))
            }))
        }
        for provider in twin.dnsProviders {
            groups.append(LabServerGroup(id: provider.id, nameservers: provider.nameservers.map {
                LabNameserver(host: "\($0.label).\(provider.zone)", ipv4: $0.ipv4, ipv6: $0.ipv6Service == .none ? nil : $0.ipv6,
                              ipv6Silent: $0.ipv6Service == .silent ? true : nil)
            }))
        }
        var zones = ZoneTable()
        zones.add(LabZone(name: "", dnssec: .signed, servers: "root"))
        let tlds = Set((twin.domains.map(\.name) + twin.dnsProviders.map(\.zone) + twin.serviceZones.map(\.name))
            .compactMap { $0.split(separator: ".").last.map(String.init) })
        for tld in tlds.sorted() { zones.add(LabZone(name: tld, dnssec: .signed, servers: tld == "nl" ? "nl" : "tld")) }
        for provider in twin.dnsProviders { zones.add(LabZone(name: provider.zone, dnssec: provider.zoneDNSSEC, servers: provider.id)) }
        for service in twin.serviceZones {
            zones.add(LabZone(name: service.name, dnssec: service.dnssec, servers: service.dnsProvider, records: service.records))
        }
        let domains = twin.domains.sorted { (DNSName.depth($0.name), $0.name) < (DNSName.depth($1.name), $1.name) }
        let domainNames = Set(domains.map(\.name))
        let sharing = Set(twin.dnsProviders.filter(\.sharedSigningKey).map(\.id))
        func key(_ provider: String) -> String? { sharing.contains(provider) ? provider : nil }
        for domain in domains {
            // An organisation zone for a parent that is neither a TLD nor a zone (groningen.nl
            // above gemeente.groningen.nl), on the domain's provider, signed.
            var parents: [String] = []
            var parent = DNSName.parent(of: domain.name)
            while let name = parent, DNSName.depth(name) >= 2, !zones.has(name), !domainNames.contains(name) {
                parents.insert(name, at: 0)
                parent = DNSName.parent(of: name)
            }
            for name in parents {
                zones.add(LabZone(name: name, dnssec: .signed, servers: domain.dnsProvider, signingKey: key(domain.dnsProvider)))
            }
            zones.add(LabZone(name: domain.name, dnssec: domain.dnssec, servers: domain.dnsProvider, signingKey: key(domain.dnsProvider)))
            if let delegation = domain.web.zone, domain.web.host != domain.name {
                zones.add(LabZone(name: domain.web.host, dnssec: delegation.dnssec, servers: delegation.dnsProvider,
                                  signingKey: key(delegation.dnsProvider)))
            }
        }
        let webPlatforms = Dictionary(twin.webPlatforms.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for domain in domains {
            zones.insert(records(of: domain, platform: webPlatforms[domain.web.platform]))
        }
        for platform in twin.mailPlatforms {
            for host in platform.hostNames {
                var records = platform.ipv4.map { LabRecord.a(host, $0) }
                if platform.ipv6Service != .none { records += platform.ipv6.map { LabRecord.aaaa(host, $0) } }
                if let data = tlsaData(platform.tlsa, service: .mail, platform: platform.id) {
                    records.append(LabRecord(owner: "_25._tcp." + host, type: "TLSA", data: data))
                }
                records += (platform.caa ?? .none).records(host: host).map { LabRecord(owner: host, type: "CAA", data: $0) }
                zones.insert(records)
            }
        }
        return LabWorld(serverGroups: groups, zones: zones.zones,
                        domains: twin.domains.map { LabDomain(name: $0.name, webHost: $0.web.host) })
    }

    /// The records a domain asks for, wherever they land (its zone or its web host's).
    static func records(of domain: TwinDomain, platform: TwinWebPlatform?) -> [LabRecord] {
        let name = domain.name, web = domain.web
        var records: [LabRecord] = []
        func addresses(_ owner: String) {
            guard let platform else { return }
            records += platform.ipv4.map { LabRecord.a(owner, $0) }
            if platform.ipv6Service != .none { records += platform.ipv6.map { LabRecord.aaaa(owner, $0) } }
        }
        if web.host != name { addresses(web.host) }
        if domain.mail.apexAddress || web.host == name { addresses(name) }
        if let data = tlsaData(web.tlsa, service: .web, platform: web.platform) {
            records.append(LabRecord(owner: "_443._tcp." + web.host, type: "TLSA", data: data))
        }
        records += web.caa.records(host: web.host).map { LabRecord(owner: web.host, type: "CAA", data: $0) }
        records += domain.mail.mx.map { LabRecord.mx(name, $0.preference, $0.host) }
        records += domain.mail.txt.map { LabRecord.txt(name, TwinCompiler.characterStrings($0)) }
        records += domain.mail.dmarc.map { LabRecord.txt("_dmarc." + name, TwinCompiler.characterStrings($0)) }
        records += (domain.mail.tlsrpt ?? .none).records(domain: name).map { LabRecord.txt("_smtp._tls." + name, TwinCompiler.characterStrings($0)) }
        switch domain.mail.domainKey {
        case .absent: break
        case .selector:
            records.append(.txt("selector1._domainkey." + name, ["v=DKIM1; k=ed25519; p=" + LabDigest.hex("dkim " + name)]))
        case .wildcard:
            records.append(.txt("*._domainkey." + name, ["v=DKIM1; p="]))
        }
        return records
    }

    /// A TXT text as character-strings of at most 255 bytes (the lab's texts are ASCII).
    static func characterStrings(_ text: String) -> [String] {
        var strings: [String] = []
        var rest = Substring(text)
        while rest.count > 255 {
            strings.append(String(rest.prefix(255)))
            rest = rest.dropFirst(255)
        }
        return strings + [String(rest)]
    }
}

/// Zones by name, in the order added, with records filed into the deepest zone holding them.
struct ZoneTable {
    private(set) var zones: [LabZone] = []
    private var positions: [String: Int] = [:]

    func has(_ name: String) -> Bool { positions[name] != nil }

    mutating func add(_ zone: LabZone) {
        guard positions[zone.name] == nil else { return }
        positions[zone.name] = zones.count
        zones.append(zone)
    }

    /// Files each record into the deepest zone at or above its owner.
    mutating func insert(_ records: [LabRecord]) {
        for record in records {
            var candidate: String? = record.owner
            while let name = candidate {
                if let position = positions[name] {
                    zones[position].records.append(record)
                    break
                }
                candidate = DNSName.parent(of: name)
            }
        }
    }
}
