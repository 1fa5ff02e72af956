extension LabWorld {
    /// A small hostile lab: a signed root and `nl`, one unsigned provider (`hostile-dns.nl`) and
    /// one domain per DNS case of the hostile zoo (issue 11), each an unsigned zone (so its
    /// answers are `insecure`, never `bogus`):
    ///
    /// | domain | what it does |
    /// |---|---|
    /// | `manya.nl` | `www.manya.nl` has 3,000 A records (48 KB: only over TCP) |
    /// | `manyns.nl` | 500 NS names at the apex, each with an A record of the provider's server |
    /// | `cnameloop.nl` | `www` → `loop` → `www` (CNAME loop) |
    /// | `spfloop.nl` | SPF include loop (`a` includes `b`, `b` includes `a`) |
    /// | `spfchain.nl` | SPF include chain 30 deep |
    /// | `nulbyte.nl` | SPF and DMARC records with a NUL byte |
    /// | `bigtxt.nl` | 40 TXT records of 200 bytes (8 KB: the TC bit, then TCP), the SPF among them |
    /// | `silent.nl` | delegated to a nameserver whose addresses nothing answers (packets dropped) |
    /// | `deepsilent.nl` | delegated to `ns.silent1.nl`, whose zone is delegated to `ns.silent2.nl`, … down to that nameserver |
    public static var hostile: LabWorld {
        var addresses = LabAddressAllocator()
        func group(_ id: String, _ hosts: [String]) -> LabServerGroup {
            LabServerGroup(id: id, nameservers: hosts.map { host in
                let pair = addresses.take(.nameserver)
                return LabNameserver(host: host, ipv4: pair.ipv4, ipv6: pair.ipv6)
            })
        }
        let groups = [
            group("root", ["ns.root-servers.lab"]),
            group("nl", ["ns1.dns.nl", "ns2.dns.nl"]),
            group("hostile", ["ns1.hostile-dns.nl", "ns2.hostile-dns.nl"]),
        ]
        let server = groups[2].nameservers[0]
        var web = LabAddressAllocator()
        func webHost(_ owner: String) -> [LabRecord] {
            let pair = web.take(.web)
            return [.a(owner, pair.ipv4), .aaaa(owner, pair.ipv6)]
        }
        func zone(_ name: String, _ records: [LabRecord]) -> LabZone {
            LabZone(name: name, dnssec: .unsigned, servers: "hostile", records: records)
        }
        let spfReject = LabRecord.txt("", ["v=spf1 -all"])
        func withOwner(_ record: LabRecord, _ owner: String) -> LabRecord {
            LabRecord(owner: owner, type: record.type, data: record.data)
        }

        // 3,000 addresses from the host pool; nothing listens on them, and a resolution sends nothing there.
        let manyAddresses = (0..<HostileCounts.addresses).map { LabRecord.a("www.manya.nl", LabAddressPlan.ipv4(.host, $0)) }
        // The apex NS set's 2 names plus 498: every name has the provider's address.
        let extraNames = (1...(HostileCounts.nameservers - 2)).map { "ns\($0).manyns.nl" }
        let manyNS = extraNames.map { LabRecord(owner: "manyns.nl", type: "NS", data: $0 + ".") }
            + extraNames.map { LabRecord.a($0, server.ipv4!) }
        let chain = (1...HostileCounts.spfChainDepth).map { depth -> LabRecord in
            let next = depth == HostileCounts.spfChainDepth ? "ip4:198.18.32.1" : "include:l\(depth + 1).spfchain.nl"
            return .txt("l\(depth).spfchain.nl", ["v=spf1 \(next) -all"])
        }
        let filler = String(repeating: "x", count: 190)
        let bigTXT = (1..<HostileCounts.bigTXTRecords).map { LabRecord.txt("bigtxt.nl", ["filler-\(1000 + $0)-" + filler]) }
        // Nothing is configured on these: the core routes them to the DNS namespace, which drops them.
        let void = (LabAddressPlan.ipv4(.nameserver, HostileCounts.voidAddressIndex), LabAddressPlan.ipv6(.nameserver, HostileCounts.voidAddressIndex))

        let zones = [
            LabZone(name: "", dnssec: .signed, servers: "root"),
            LabZone(name: "nl", dnssec: .signed, servers: "nl", records: [
                // A delegation the lab does not derive: to a nameserver that never answers.
                LabRecord(owner: "silent.nl", type: "NS", data: "ns.void.hostile-dns.nl."),
                // A chain of such delegations: each nameserver's name lies in the next silent zone.
                LabRecord(owner: "deepsilent.nl", type: "NS", data: "ns.silent1.nl."),
                LabRecord(owner: "silent1.nl", type: "NS", data: "ns.silent2.nl."),
                LabRecord(owner: "silent2.nl", type: "NS", data: "ns.silent3.nl."),
                LabRecord(owner: "silent3.nl", type: "NS", data: "ns.void.hostile-dns.nl."),
            ]),
            zone("hostile-dns.nl", [.a("ns.void.hostile-dns.nl", void.0), .aaaa("ns.void.hostile-dns.nl", void.1)]),
            zone("manya.nl", manyAddresses + [withOwner(spfReject, "manya.nl")]),
            zone("manyns.nl", manyNS + webHost("www.manyns.nl") + [withOwner(spfReject, "manyns.nl")]),
            zone("cnameloop.nl", [
                LabRecord(owner: "www.cnameloop.nl", type: "CNAME", data: "loop.cnameloop.nl."),
                LabRecord(owner: "loop.cnameloop.nl", type: "CNAME", data: "www.cnameloop.nl."),
                withOwner(spfReject, "cnameloop.nl"),
            ]),
            zone("spfloop.nl", [
                .txt("spfloop.nl", ["v=spf1 include:a.spfloop.nl -all"]),
                .txt("a.spfloop.nl", ["v=spf1 include:b.spfloop.nl -all"]),
                .txt("b.spfloop.nl", ["v=spf1 include:a.spfloop.nl -all"]),
                .txt("_dmarc.spfloop.nl", ["v=DMARC1; p=reject"]),
            ] + webHost("www.spfloop.nl")),
            zone("spfchain.nl", [.txt("spfchain.nl", ["v=spf1 include:l1.spfchain.nl -all"]),
                                 .txt("_dmarc.spfchain.nl", ["v=DMARC1; p=reject"])] + chain),
            zone("nulbyte.nl", [
                // Zone-file escapes: `\000` is one NUL octet inside the character-string.
                LabRecord(owner: "nulbyte.nl", type: "TXT", data: #""v=spf1 ip4:198.18.32.1 \000-all""#),
                LabRecord(owner: "_dmarc.nulbyte.nl", type: "TXT", data: #""v=DMARC1; p=reject\000; rua=mailto:d@nulbyte.nl""#),
            ] + webHost("www.nulbyte.nl")),
            zone("bigtxt.nl", bigTXT + [.txt("bigtxt.nl", ["v=spf1 ip4:198.18.32.1 -all"]),
                                        .txt("_dmarc.bigtxt.nl", ["v=DMARC1; p=reject"])] + webHost("www.bigtxt.nl")),
        ]
        let domains = ["manya.nl", "manyns.nl", "cnameloop.nl", "spfloop.nl", "spfchain.nl", "nulbyte.nl", "bigtxt.nl", "silent.nl", "deepsilent.nl"]
            .map { LabDomain(name: $0) }
        return LabWorld(serverGroups: groups, zones: zones, domains: domains)
    }
}

/// The sizes the hostile world is built with (tests read them too).
public enum HostileCounts {
    /// A records of `www.manya.nl`.
    public static let addresses = 3000
    /// NS names of `manyns.nl`.
    public static let nameservers = 500
    /// Includes below `spfchain.nl`'s own record.
    public static let spfChainDepth = 30
    /// TXT records at `bigtxt.nl`, its SPF record included.
    public static let bigTXTRecords = 40
    /// Index in the nameserver pool of the addresses nothing answers on.
    public static let voidAddressIndex = 4000
}
