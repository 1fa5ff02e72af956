import PeilModel

extension LabWorld {
    /// Ground truth: per measured domain, sorted by name, the ``DNSFacts`` a correct
    /// validating resolver derives from this world (re-asking without validation for bogus
    /// names, so that they still report their records). `dnssecReason` is nil: reasons are the
    /// resolver's words.
    ///
    /// The facts are those seen from a vantage with IPv4 (IPv4-only or dual stack): an
    /// IPv6-only vantage cannot reach zones whose nameservers have no AAAA.
    public func expectedFacts() -> [DNSFacts] {
        let oracle = LabOracle(WorldIndex(self))
        return domains.sorted { $0.name < $1.name }.map(oracle.facts)
    }

    /// The expected facts of one measured domain, or nil if the world does not measure it.
    public func expectedFacts(for domain: String) -> DNSFacts? {
        domains.first { $0.name == domain }.map(LabOracle(WorldIndex(self)).facts)
    }

    /// The DNSSEC status a validating resolver gives any answer for `name` (lower case, no
    /// trailing dot): that of the zone the name lies in, judged along the chain from the root.
    public func expectedDNSSEC(of name: String) -> DNSSECStatus {
        let index = WorldIndex(self)
        return index.zoneContaining(DNSName.canonical(name)).map { LabOracle(index).status(of: $0) } ?? .error
    }
}

/// Answers questions about a world the way an ideal resolver would, from the zone data alone.
struct LabOracle {
    let index: WorldIndex

    init(_ index: WorldIndex) { self.index = index }

    /// Secure only if every zone from the root down is signed with a matching DS; the first
    /// zone that is not decides: unsigned or without DS → insecure, broken → bogus.
    func status(of zone: LabZone) -> DNSSECStatus {
        for link in index.chain(to: zone) {
            switch link.dnssec {
            case .signed: continue
            case .unsigned, .signedWithoutDS: return .insecure
            case .bogusExpiredSignatures, .bogusDSMismatch: return .bogus
            }
        }
        return .secure
    }

    func status(ofName name: String) -> DNSSECStatus {
        index.zoneContaining(name).map(status) ?? .error
    }

    /// Record data at `name` of `type` in presentation form (see ``DNSFacts``).
    func records(_ name: String, _ type: String) -> [String] {
        guard let zone = index.zoneContaining(name) else { return [] }
        return index.records(at: name, type: type, in: zone).map { LabPresentation.data(of: $0) }.sorted()
    }

    func exists(_ name: String) -> Bool {
        index.zoneContaining(name).map { index.nameExists(name, in: $0) } ?? false
    }

    func host(_ name: String) -> HostAddresses {
        HostAddresses(host: name, ipv4: records(name, "A"), ipv6: records(name, "AAAA"))
    }

    /// The CAA set climbing from `host` finds (RFC 8659 §3).
    func caa(from host: String) -> CAASet {
        var candidate: String? = host
        while let current = candidate, !current.isEmpty {
            let found = records(current, "CAA")
            if !found.isEmpty { return CAASet(foundAt: current, records: found) }
            candidate = DNSName.parent(of: current)
        }
        return CAASet(foundAt: nil, records: [])
    }

    func facts(_ domain: LabDomain) -> DNSFacts {
        let name = domain.name
        let zone = index.zoneContaining(name)
        let nameservers = zone.map { records($0.name, "NS") } ?? []
        let txt = records(name, "TXT")
        let mxData = records(name, "MX")
        let nullMX = mxData == ["0 "]
        let mx = mxData.map { data -> MailExchanger in
            let parts = data.split(separator: " ", maxSplits: 1).map(String.init)
            let preference = Int(parts[0]) ?? 0
            let host = parts.count > 1 ? parts[1] : ""
            if host.isEmpty { return MailExchanger(preference: preference, host: "", dnssec: status(ofName: name)) }
            let addresses = self.host(host)
            return MailExchanger(preference: preference, host: host, dnssec: status(ofName: host),
                                 ipv4: addresses.ipv4, ipv6: addresses.ipv6, tlsa: records("_25._tcp." + host, "TLSA"), caa: caa(from: host))
        }
        let webCAA = caa(from: domain.webHost)
        let mxNameservers = Set(mx.filter { !$0.host.isEmpty }.flatMap { exchanger in
            index.zoneContaining(exchanger.host).map { records($0.name, "NS") } ?? []
        }).sorted()
        let webZone = index.zoneContaining(domain.webHost)
        let webDelegated = webZone != nil && webZone?.name != zone?.name
        return DNSFacts(
            domain: name, dnssec: status(ofName: name), dnssecReason: nil,
            nsZone: zone.map { $0.name.isEmpty ? "." : $0.name },
            nameservers: nameservers.map(host), domainAddresses: host(name),
            web: host(domain.webHost), webDNSSEC: status(ofName: domain.webHost),
            mx: mx, nullMX: nullMX, txt: txt, spf: txt.filter { $0.lowercased().hasPrefix("v=spf1") },
            dmarc: records("_dmarc." + name, "TXT"),
            domainKey: exists("_domainkey." + name) ? .exists : .nxdomain,
            caaFoundAt: webCAA.foundAt, caa: webCAA.records, webTLSA: records("_443._tcp." + domain.webHost, "TLSA"),
            webNSZone: webDelegated ? webZone?.name : nil,
            webNameservers: webDelegated ? webZone.map { records($0.name, "NS").map(host) } : nil,
            mxNameservers: mxNameservers.map(host),
            tlsrpt: records("_smtp._tls." + name, "TXT")
        )
    }
}

/// Record data in the presentation ``DNSFacts`` documents. MX comes out as
/// `preference host` with the host canonical (`""` for the null MX target).
enum LabPresentation {
    static func data(of record: LabRecord) -> String {
        switch record.type {
        case "AAAA":
            return LabAddressPlan.parseIPv6(record.data).map(ipv6Text) ?? record.data
        case "MX":
            let parts = record.data.split(separator: " ", maxSplits: 1).map(String.init)
            return "\(parts[0]) \(DNSName.canonical(parts.count > 1 ? parts[1] : ""))"
        case "NS", "CNAME":
            return DNSName.canonical(record.data)
        case "TXT":
            return characterStrings(record.data).joined()
        case "TLSA":
            return record.data.lowercased()
        case "CAA":
            let parts = record.data.split(separator: " ", maxSplits: 2).map(String.init)
            return parts.count == 3 ? "\(parts[0]) \(parts[1].lowercased()) \(parts[2])" : record.data
        default:
            return record.data
        }
    }

    /// The quoted character-strings of a TXT record's data (the lab writes no escapes).
    static func characterStrings(_ data: String) -> [String] {
        data.split(separator: "\"", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    static func ipv6Text(_ octets: [UInt8]) -> String {
        LabAddressPlan.rfc5952(stride(from: 0, to: 16, by: 2).map { UInt16(octets[$0]) << 8 | UInt16(octets[$0 + 1]) })
    }
}
