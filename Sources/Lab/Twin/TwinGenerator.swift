/// Generates the twin from the seed data, deterministically for a seed: providers and
/// platforms, then for every domain a configuration whose derived statuses are its target row
/// (the March 2021 row for primary domains, a sampled row for broad-only ones, see
/// ``TwinBroadRates``).
public struct TwinGenerator {
    var random: TwinRandom
    /// A second stream for what no bulk column depends on (security headers, security.txt, CAA
    /// and TLSA variants), so adding such variety leaves every draw of ``random`` as it was.
    var variety: TwinRandom
    var addresses = LabAddressAllocator()
    var providers: [TwinDNSProvider] = []
    var serviceZones: [TwinServiceZone] = []
    var webPlatforms: [TwinWebPlatform] = []
    var mailPlatforms: [TwinMailPlatform] = []
    /// Shared platforms by the key of the behaviour they give, so tenants with the same target share.
    var sharedWeb: [String: Int] = [:]
    var sharedMail: [String: Int] = [:]
    /// Chosen zone modes so far (children look at their parents'), and names that must stay secure.
    var modes: [String: LabDNSSECMode] = [:]
    var mustBeSecure: Set<String> = []

    /// The twin for `seed` from `data`.
    public static func generate(seed: UInt64, data: TwinSeedData) -> TwinWorld {
        var generator = TwinGenerator(random: TwinRandom(seed: seed), variety: TwinRandom(seed: seed ^ 0x7765_622d_7365_6375))
        return generator.run(seed: seed, data: data)
    }

    /// Provider names: fictional Dutch words, so no real company is implied.
    static let words = ["polder", "dijk", "molen", "tulp", "gracht", "duin", "klomp", "haven", "sluis", "terp", "wad", "veen",
                        "heide", "beek", "kreek", "brug", "kade", "waag", "toren", "vesting", "delta", "eiland", "kust", "meer",
                        "rivier", "bos", "akker", "weide"]
    static let webHosters = ["hosting-polder", "hosting-dijk", "hosting-gracht", "hosting-haven", "hosting-duin", "hosting-veen"]
    /// Mail providers with zones: secure ones publish DNSSEC, insecure ones do not, one is bogus.
    static let mailZones: [(zone: String, dns: String, mode: LabDNSSECMode)] = [
        ("postbode-mail.nl", "dijk", .signed), ("brievenbus-mail.nl", "molen", .signed), ("postkantoor-mail.nl", "tulp", .signed),
        ("postduif-mail.nl", "gracht", .unsigned), ("koerier-mail.nl", "duin", .signedWithoutDS),
        ("verlopen-mail.nl", "klomp", .bogusExpiredSignatures),
    ]
    static let cloudZone = "wolkmail.com"
    static let bulkMailer = "nieuwsbrief-verzender.nl"
    static let authorisedReports = "dmarc-rapport.nl"
    static let unauthorisedReports = "rapportage-dienst.nl"

    mutating func run(seed: UInt64, data: TwinSeedData) -> TwinWorld {
        makeProviders()
        makeServiceZones()
        let targets = TwinTargets.all(data: data, random: &random)
        for target in targets where target.web["dnssec"] == .passed {
            var name = DNSName.parent(of: target.webHost)
            while let current = name, DNSName.depth(current) >= 2 { mustBeSecure.insert(current); name = DNSName.parent(of: current) }
            if target.webHost == target.name { mustBeSecure.insert(target.name) }
        }
        var domains: [TwinDomain] = []
        for target in targets.sorted(by: { (DNSName.depth($0.name), $0.name) < (DNSName.depth($1.name), $1.name) }) {
            domains.append(domain(for: target))
        }
        var world = TwinWorld(seed: seed, dnsProviders: providers, serviceZones: serviceZones, tlsProfiles: TwinTLSCatalogue.profiles,
                              webPlatforms: webPlatforms, mailPlatforms: mailPlatforms, domains: domains.sorted { $0.name < $1.name })
        TwinRealServers.mark(&world)
        TwinRealServers.spreadWebSecurity(&world)
        TwinRealServers.spreadMailCAA(&world)
        TwinRealServers.spreadTLSRPT(&world)
        TwinRealServers.spreadIPv6Pages(&world)
        return world
    }

    /// 28 providers: `rijksdns` (3 NS), 20 with AAAA on both, 5 without AAAA, one with AAAA on
    /// one of two, one whose second AAAA does not answer; and `wolkdns` for the cloud mail.
    mutating func makeProviders() {
        var nameserverIndex = TwinCompiler.firstProviderAddress
        func nameservers(_ services: [TwinIPv6]) -> [TwinNameserver] {
            services.enumerated().map { position, service in
                defer { nameserverIndex += 1 }
                return TwinNameserver(label: "ns\(position + 1)", ipv4: LabAddressPlan.ipv4(.nameserver, nameserverIndex),
                                      ipv6: service == .none ? nil : LabAddressPlan.ipv6(.nameserver, nameserverIndex), ipv6Service: service)
            }
        }
        providers.append(TwinDNSProvider(id: "rijksdns", zone: "rijksdns.nl", zoneDNSSEC: .signed,
                                         nameservers: nameservers([.answering, .answering, .answering]), sharedSigningKey: false))
        for (position, word) in Self.words.enumerated() {
            let services: [TwinIPv6] = switch position {
            case 21...25: [.none, .none]
            case 26: [.answering, .none]
            case 27: [.answering, .silent]
            case 3, 9: [.answering, .answering, .answering]
            default: [.answering, .answering]
            }
            let mode: LabDNSSECMode = [4, 22].contains(position) ? .unsigned : .signed
            providers.append(TwinDNSProvider(id: word, zone: "\(word)-dns.nl", zoneDNSSEC: mode, nameservers: nameservers(services),
                                             sharedSigningKey: position % 2 == 0))
        }
        providers.append(TwinDNSProvider(id: "wolkdns", zone: "wolkdns.com", zoneDNSSEC: .unsigned,
                                         nameservers: nameservers([.answering, .answering, .answering, .answering]), sharedSigningKey: true))
    }

    /// Providers whose nameservers pass the IPv6 test, and those that fail it.
    var goodProviders: [String] { providers.filter { TwinGenerator.passesIPv6($0) && $0.id != "wolkdns" }.map(\.id) }
    var badProviders: [String] { providers.filter { !TwinGenerator.passesIPv6($0) }.map(\.id) }

    static func passesIPv6(_ provider: TwinDNSProvider) -> Bool {
        let withAAAA = provider.nameservers.filter { $0.ipv6Service != .none }
        return withAAAA.count >= 2 && withAAAA.allSatisfy { $0.ipv6Service == .answering }
    }

    /// Mail provider zones, the bulk mailer's SPF chain (14 lookups), and two DMARC report
    /// services, one publishing a wildcard authorisation and one publishing none.
    mutating func makeServiceZones() {
        for entry in Self.mailZones {
            serviceZones.append(TwinServiceZone(name: entry.zone, dnsProvider: entry.dns, dnssec: entry.mode,
                                                records: [.txt("spf." + entry.zone, ["v=spf1 ip4:198.18.32.0/20 ip6:2001:2:0:25::/64 -all"])]))
        }
        serviceZones.append(TwinServiceZone(name: Self.cloudZone, dnsProvider: "wolkdns", dnssec: .unsigned,
                                            records: [.txt("spf." + Self.cloudZone, ["v=spf1 ip4:198.18.32.0/20 ip6:2001:2:0:25::/64 -all"])]))
        // 11 includes below the customer's own: over the budget however lookups are counted
        // (RFC 7208: 14 with `a` and `mx`; Internet.nl in 2021 counted includes only: 12).
        let chained = "v=spf1 a mx " + (1...11).map { "include:s\($0)._spf.\(Self.bulkMailer)" }.joined(separator: " ") + " -all"
        var chain = [LabRecord.txt("_spf." + Self.bulkMailer, TwinCompiler.characterStrings(chained))]
        chain += (1...11).map { LabRecord.txt("s\($0)._spf.\(Self.bulkMailer)", ["v=spf1 ip4:198.18.40.\($0) -all"]) }
        chain.append(.a(Self.bulkMailer, "198.18.40.100"))
        serviceZones.append(TwinServiceZone(name: Self.bulkMailer, dnsProvider: "heide", dnssec: .signed, records: chain))
        serviceZones.append(TwinServiceZone(name: Self.authorisedReports, dnsProvider: "beek", dnssec: .signed,
                                            records: [.txt("*._report._dmarc." + Self.authorisedReports, ["v=DMARC1;"])]))
        serviceZones.append(TwinServiceZone(name: Self.unauthorisedReports, dnsProvider: "brug", dnssec: .unsigned))
    }
}
