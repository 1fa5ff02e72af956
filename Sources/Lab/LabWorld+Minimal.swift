extension LabWorld {
    /// The minimal lab: a signed root, a signed `nl` on its own servers, three DNS providers
    /// (both nameservers with AAAA; none with AAAA; one of two with AAAA), an unsigned mail
    /// provider, and 26 domains under `nl` covering every DNSSEC state (secure, unsigned,
    /// signed without DS, expired signatures, DS mismatch) and the web, mail, TXT, DKIM, CAA
    /// and TLSA variants the resolve checks distinguish. Names are from the primary set.
    public static var minimal: LabWorld {
        var builder = MinimalWorldBuilder()
        return builder.build()
    }
}

/// Which address families a host has.
private enum Stack {
    case none, ipv4, dual
}

/// How `_domainkey.<domain>` exists.
private enum DomainKey {
    /// No name below `_domainkey`: NXDOMAIN.
    case absent
    /// `selector1._domainkey` has a TXT, so `_domainkey` is an empty non-terminal: NOERROR.
    case selector
    /// A TXT at `_domainkey` itself: NOERROR.
    case direct
}

/// One domain of the minimal world, in the few words that make it differ from the others.
private struct DomainSpec {
    var name: String
    var mode: LabDNSSECMode = .signed
    var servers = "alfa"
    /// Set when the domain is a name inside this zone rather than a zone of its own.
    var insideZone: String?
    var apex: Stack = .none
    /// Nil: `www.<name>`.
    var webHost: String?
    var web: Stack = .dual
    var webTLSA = false
    /// (preference, absolute host without dot); host "" is the null MX.
    var mx: [(Int, String)] = []
    /// Mail hosts named `<label>.<name>` in the domain's own zone.
    var ownMail: [(label: String, stack: Stack, tlsa: Bool)] = []
    var txt: [[String]] = []
    var dmarc: String?
    var domainKey: DomainKey = .absent
    var caa: [(String, String)] = []
    var webCAA: [(String, String)] = []
}

private struct MinimalWorldBuilder {
    var addresses = LabAddressAllocator()

    mutating func group(_ id: String, _ hosts: [(String, Bool)]) -> LabServerGroup {
        var nameservers: [LabNameserver] = []
        for (host, hasIPv6) in hosts {
            let pair = addresses.take(.nameserver)
            nameservers.append(LabNameserver(host: host, ipv4: pair.ipv4, ipv6: hasIPv6 ? pair.ipv6 : nil))
        }
        return LabServerGroup(id: id, nameservers: nameservers)
    }

    mutating func build() -> LabWorld {
        let groups = [
            group("root", [("ns.root-servers.lab", true)]),
            group("nl", [("ns1.dns.nl", true), ("ns2.dns.nl", true)]),
            group("alfa", [("ns1.alfa-dns.nl", true), ("ns2.alfa-dns.nl", true)]),
            group("bravo", [("ns1.bravo-dns.nl", false), ("ns2.bravo-dns.nl", false)]),
            group("charlie", [("ns1.charlie-dns.nl", true), ("ns2.charlie-dns.nl", false)]),
        ]
        let mx1 = addresses.take(.mail), mx2 = addresses.take(.mail)
        var zones: [LabZone] = [
            LabZone(name: "", dnssec: .signed, servers: "root"),
            LabZone(name: "nl", dnssec: .signed, servers: "nl"),
            LabZone(name: "alfa-dns.nl", dnssec: .signed, servers: "alfa"),
            LabZone(name: "bravo-dns.nl", dnssec: .unsigned, servers: "bravo"),
            LabZone(name: "charlie-dns.nl", dnssec: .signed, servers: "charlie"),
            LabZone(name: "mailhost.nl", dnssec: .unsigned, servers: "alfa", records: [
                .a("mx1.mailhost.nl", mx1.ipv4), .aaaa("mx1.mailhost.nl", mx1.ipv6),
                .a("mx2.mailhost.nl", mx2.ipv4),
                .txt("spf.mailhost.nl", ["v=spf1 ip4:198.18.32.0/20 ip6:2001:2:0:25::/64 -all"]),
            ]),
        ]
        var domains: [LabDomain] = []
        for spec in Self.specs {
            let records = records(for: spec)
            if let zoneName = spec.insideZone, let position = zones.firstIndex(where: { $0.name == zoneName }) {
                zones[position].records += records
            } else {
                zones.append(LabZone(name: spec.name, dnssec: spec.mode, servers: spec.servers, records: records))
            }
            domains.append(LabDomain(name: spec.name, webHost: spec.webHost))
        }
        return LabWorld(serverGroups: groups, zones: zones, domains: domains)
    }

    mutating func hostRecords(_ owner: String, _ stack: Stack, _ pool: LabAddressPool) -> [LabRecord] {
        guard stack != .none else { return [] }
        let pair = addresses.take(pool)
        return [.a(owner, pair.ipv4)] + (stack == .dual ? [.aaaa(owner, pair.ipv6)] : [])
    }

    mutating func records(for spec: DomainSpec) -> [LabRecord] {
        let name = spec.name
        let webHost = spec.webHost ?? "www." + name
        var records = hostRecords(name, spec.apex, .host)
        if webHost != name { records += hostRecords(webHost, spec.web, .web) }
        if spec.webTLSA { records.append(.tlsa("_443._tcp." + webHost, LabDigest.hex("web " + webHost))) }
        for mail in spec.ownMail {
            let host = mail.label + "." + name
            records += hostRecords(host, mail.stack, .mail)
            if mail.tlsa { records.append(.tlsa("_25._tcp." + host, LabDigest.hex("mail " + host))) }
        }
        records += spec.mx.map { LabRecord.mx(name, $0.0, $0.1) }
        records += spec.txt.map { LabRecord.txt(name, $0) }
        if let dmarc = spec.dmarc { records.append(.txt("_dmarc." + name, [dmarc])) }
        switch spec.domainKey {
        case .absent: break
        case .selector:
            records.append(.txt("selector1._domainkey." + name, ["v=DKIM1; k=ed25519; p=" + LabDigest.hex("dkim " + name)]))
        case .direct: records.append(.txt("_domainkey." + name, ["o=~"]))
        }
        records += spec.caa.map { LabRecord.caa(name, $0.0, $0.1) }
        records += spec.webCAA.map { LabRecord.caa(webHost, $0.0, $0.1) }
        return records
    }

    static let providerSPF = ["v=spf1 include:spf.mailhost.nl -all"]
    static let providerMX = [(10, "mx1.mailhost.nl"), (20, "mx2.mailhost.nl")]
    static func reject(_ name: String) -> String { "v=DMARC1; p=reject; rua=mailto:dmarc@\(name)" }
    static func verification(_ name: String) -> [String] { ["peil-lab-site-verification=" + name] }

    static let specs: [DomainSpec] = [
        // Signed and secure, everything present, SPF split over two character-strings.
        DomainSpec(name: "rijksoverheid.nl", webTLSA: true, mx: [(10, "mail.rijksoverheid.nl")],
                   ownMail: [("mail", .dual, true)],
                   txt: [["v=spf1 ip4:198.18.32.0/20 ", "ip6:2001:2:0:25::/64 -all"], verification("rijksoverheid.nl")],
                   dmarc: reject("rijksoverheid.nl"), domainKey: .selector,
                   caa: [("issue", "letsencrypt.org"), ("iodef", "mailto:security@rijksoverheid.nl")]),
        // MX at the unsigned mail provider; CAA at the web host and at the domain (web host wins).
        DomainSpec(name: "minaz.nl", web: .ipv4, mx: providerMX, txt: [providerSPF],
                   dmarc: "v=DMARC1; p=quarantine", caa: [("issue", "letsencrypt.org")], webCAA: [("issue", "sectigo.com")]),
        DomainSpec(name: "digid.nl", servers: "charlie", webTLSA: true, mx: [(10, "mail.digid.nl")],
                   ownMail: [("mail", .dual, true)], txt: [["v=spf1 mx -all"]], dmarc: reject("digid.nl"),
                   domainKey: .selector, caa: [("issue", "digicert.com"), ("issuewild", ";")]),
        // A name inside digid.nl: its own web host, NS found at digid.nl, CAA by climbing.
        DomainSpec(name: "mijn.digid.nl", insideZone: "digid.nl", apex: .dual, webHost: "mijn.digid.nl", webTLSA: true),
        // Unsigned, nameservers without AAAA, null MX for a domain that sends no mail.
        DomainSpec(name: "defensie.nl", mode: .unsigned, servers: "bravo", web: .ipv4, mx: [(0, "")],
                   txt: [["v=spf1 -all"]], dmarc: reject("defensie.nl")),
        // Unsigned, no web host, no MX, an apex address and only a non-SPF TXT.
        DomainSpec(name: "koninklijkhuis.nl", mode: .unsigned, servers: "bravo", apex: .ipv4, web: .none,
                   txt: [verification("koninklijkhuis.nl")]),
        // Signed, but no DS in nl: insecure.
        DomainSpec(name: "logius.nl", mode: .signedWithoutDS, webTLSA: true, mx: [(10, "mx1.mailhost.nl")],
                   txt: [providerSPF], dmarc: reject("logius.nl"), domainKey: .selector, caa: [("issue", "letsencrypt.org")]),
        // Expired signatures: bogus, its own mail host bogus with it.
        DomainSpec(name: "ncsc.nl", mode: .bogusExpiredSignatures, servers: "charlie", webTLSA: true,
                   mx: [(10, "mail.ncsc.nl")], ownMail: [("mail", .dual, true)], txt: [["v=spf1 mx -all"]],
                   dmarc: reject("ncsc.nl"), domainKey: .selector, caa: [("issue", "letsencrypt.org")]),
        // DS mismatch: bogus; two MX of equal preference; a TXT at _domainkey itself.
        DomainSpec(name: "dictu.nl", mode: .bogusDSMismatch, web: .ipv4, mx: [(10, "mx1.mailhost.nl"), (10, "mx2.mailhost.nl")],
                   ownMail: [("mail", .dual, false)], txt: [providerSPF], dmarc: reject("dictu.nl"), domainKey: .direct),
        // Secure domain whose MX lies in a bogus zone.
        DomainSpec(name: "overheid.nl", mx: [(10, "mail.ncsc.nl")], txt: [["v=spf1 include:ncsc.nl -all"]],
                   dmarc: reject("overheid.nl"), domainKey: .selector, webCAA: [("issue", "letsencrypt.org")]),
        // Several MX with preferences: its own host first, then the provider's two.
        DomainSpec(name: "nctv.nl", servers: "charlie", mx: [(5, "mail.nctv.nl")] + providerMX,
                   ownMail: [("mail", .ipv4, true)], txt: [["v=spf1 mx include:spf.mailhost.nl -all"], ["MS=ms48151623"]],
                   dmarc: reject("nctv.nl"), domainKey: .selector),
        // Signed zone on a provider whose own zone is unsigned: still secure.
        DomainSpec(name: "ictu.nl", servers: "bravo", web: .ipv4, mx: [(10, "mx1.mailhost.nl")], txt: [providerSPF],
                   caa: [("issue", "letsencrypt.org")]),
        DomainSpec(name: "minbzk.nl", mode: .unsigned, mx: providerMX, txt: [providerSPF], dmarc: reject("minbzk.nl"),
                   domainKey: .selector),
        // SPF in upper case (the SPF filter is case-insensitive); own MX without DANE.
        DomainSpec(name: "minfin.nl", servers: "charlie", web: .ipv4, mx: [(10, "mail.minfin.nl")],
                   ownMail: [("mail", .ipv4, false)], txt: [["V=SPF1 mx -all"]]),
        // Bogus domain whose MX is at the (insecure) provider.
        DomainSpec(name: "dji.nl", mode: .bogusExpiredSignatures, web: .ipv4, mx: [(10, "mx1.mailhost.nl")],
                   txt: [providerSPF], dmarc: reject("dji.nl"), domainKey: .selector),
        DomainSpec(name: "dsta.nl", mode: .bogusDSMismatch, servers: "charlie", mx: [(0, "")], txt: [["v=spf1 -all"]],
                   dmarc: reject("dsta.nl")),
        // Insecure (no DS) on nameservers without AAAA, no web host, DANE on its mail host.
        DomainSpec(name: "nfi.nl", mode: .signedWithoutDS, servers: "bravo", web: .none, mx: [(10, "mail.nfi.nl")],
                   ownMail: [("mail", .dual, true)], txt: [["v=spf1 mx -all"]], dmarc: reject("nfi.nl")),
        // SPF over three character-strings; TXT at _domainkey itself; CAA at both levels.
        DomainSpec(name: "rechtspraak.nl", webTLSA: true, mx: [(10, "mail.rechtspraak.nl")], ownMail: [("mail", .dual, true)],
                   txt: [["v=spf1 ", "mx ", "include:spf.mailhost.nl -all"]], dmarc: reject("rechtspraak.nl"),
                   domainKey: .direct, caa: [("issue", "letsencrypt.org")], webCAA: [("issue", "digicert.com")]),
        // MX in another domain's signed zone.
        DomainSpec(name: "minjenv.nl", servers: "bravo", web: .ipv4, mx: [(10, "mail.rechtspraak.nl")],
                   txt: [["v=spf1 include:rechtspraak.nl -all"]], dmarc: reject("minjenv.nl")),
        // No MX at all, but apex addresses.
        DomainSpec(name: "mindef.nl", mode: .unsigned, servers: "charlie", apex: .dual, txt: [["v=spf1 -all"]]),
        // Apex and www both with addresses, non-SPF TXT only, no DMARC.
        DomainSpec(name: "eherkenning.nl", apex: .dual, mx: [(10, "mx1.mailhost.nl")],
                   txt: [verification("eherkenning.nl"), ["MS=ms16180339"]], domainKey: .selector),
        DomainSpec(name: "crisis.nl", mode: .signedWithoutDS, servers: "charlie", web: .ipv4, mx: [(10, "mx2.mailhost.nl")],
                   txt: [providerSPF], dmarc: "v=DMARC1; p=none"),
        // Unsigned zone with TLSA on its own mail host (insecure, so unusable for DANE).
        DomainSpec(name: "ondernemersplein.nl", mode: .unsigned, mx: [(10, "mail.ondernemersplein.nl")],
                   ownMail: [("mail", .dual, true)], txt: [["v=spf1 mx -all"]], dmarc: reject("ondernemersplein.nl"),
                   caa: [("issue", "letsencrypt.org")]),
        // Secure domain whose MX lies in a DS-mismatch zone.
        DomainSpec(name: "minocw.nl", servers: "charlie", mx: [(10, "mail.dictu.nl")], txt: [["v=spf1 include:dictu.nl -all"]],
                   dmarc: reject("minocw.nl")),
        // A bare signed zone: nothing but SOA and NS.
        DomainSpec(name: "noraonline.nl", servers: "bravo", web: .none),
        // Bogus domain with a provider MX and its own (bogus) one.
        DomainSpec(name: "minvws.nl", mode: .bogusExpiredSignatures, servers: "bravo",
                   mx: [(10, "mx1.mailhost.nl"), (20, "mail.minvws.nl")], ownMail: [("mail", .ipv4, false)],
                   txt: [providerSPF], dmarc: reject("minvws.nl")),
    ]
}

/// Deterministic stand-in digests (TLSA data, DKIM keys) from a seed, 64 lower-case hex digits.
enum LabDigest {
    static func hex(_ seed: String) -> String {
        (0..<4).map { round -> String in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325 &+ UInt64(round)
            for byte in seed.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            let text = String(hash, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
    }
}
