import PeilModel

/// Derives ``PeilModel/DNSFacts`` from the query records of one resolution. Pure: the same
/// records always give the same facts, so stored raw observations can be re-derived.
/// A question that was not asked (or not recorded) counts as unanswered: status `error`,
/// no records.
public enum DNSFactsAssembler {
    public static func facts(domain rawDomain: String, webHost rawWebHost: String, queries: [DNSQueryRecord],
                             maxMailExchangers: Int = ResolutionRules.maxMailExchangers) -> DNSFacts {
        let domain = DNSNames.normalise(rawDomain), webHost = DNSNames.normalise(rawWebHost)
        var index: [String: DNSQueryRecord] = [:]
        for record in queries { index[key(record.name, record.type)] = record }
        func lookup(_ name: String, _ type: DNSRecordType) -> DNSQueryRecord? { index[key(name, type.mnemonic)] }
        func records(_ name: String, _ type: DNSRecordType) -> [String] { lookup(name, type)?.records ?? [] }
        func addresses(_ host: String) -> HostAddresses {
            HostAddresses(host: host, ipv4: records(host, .a), ipv6: records(host, .aaaa))
        }

        let soa = lookup(domain, .soa)

        func climb(from start: String) -> (zone: String?, hosts: [String]) {
            for name in DNSNames.nameserverClimb(from: start) {
                guard let answer = lookup(name, .ns) else { break }
                if ResolutionRules.nameserverStep(answer) == .found {
                    return (name, Set(answer.records.map(DNSNames.normalise)).sorted())
                }
            }
            return (nil, [])
        }
        let (nsZone, nameserverHosts) = climb(from: domain)
        let web = climb(from: webHost)
        let webDelegated = web.zone != nil && web.zone != nsZone

        // RFC 8659 §3 climbing, as DomainResolution asked it.
        func caaSet(from host: String) -> CAASet {
            for name in DNSNames.caaClimb(from: host) {
                guard let answer = lookup(name, .caa) else { break }
                let step = ResolutionRules.caaStep(answer)
                if step == .found { return CAASet(foundAt: name, records: answer.records) }
                if step != .next { break }
            }
            return CAASet(foundAt: nil, records: [])
        }

        let mxAnswer = lookup(domain, .mx)
        let (exchangerNames, nullMX) = ResolutionRules.mailExchangers(mxAnswer?.records ?? [], limit: maxMailExchangers)
        let exchangers = exchangerNames.map { exchanger in
            guard !exchanger.host.isEmpty else {
                return MailExchanger(preference: exchanger.preference, host: "", dnssec: mxAnswer?.dnssec ?? .error)
            }
            return MailExchanger(
                preference: exchanger.preference, host: exchanger.host,
                dnssec: lookup(exchanger.host, .a)?.dnssec ?? .error,
                ipv4: records(exchanger.host, .a), ipv6: records(exchanger.host, .aaaa),
                tlsa: records(ResolutionRules.tlsaName(port: 25, host: exchanger.host), .tlsa),
                caa: caaSet(from: exchanger.host))
        }
        let webCAA = caaSet(from: webHost)
        let mxNameserverHosts = Set(exchangers.filter { !$0.host.isEmpty }.flatMap { climb(from: $0.host).hosts }).sorted()

        let txt = records(domain, .txt)
        return DNSFacts(
            domain: domain, dnssec: soa?.dnssec ?? .error, dnssecReason: soa?.reason, nsZone: nsZone,
            nameservers: nameserverHosts.map(addresses), domainAddresses: addresses(domain),
            web: addresses(webHost), webDNSSEC: lookup(webHost, .a)?.dnssec ?? .error,
            mx: exchangers, nullMX: nullMX, txt: txt, spf: ResolutionRules.spf(txt),
            dmarc: records(ResolutionRules.dmarcName(domain), .txt),
            domainKey: ResolutionRules.domainKey(lookup(ResolutionRules.domainKeyName(domain), .txt)),
            caaFoundAt: webCAA.foundAt, caa: webCAA.records, webTLSA: records(ResolutionRules.tlsaName(port: 443, host: webHost), .tlsa),
            webNSZone: webDelegated ? web.zone : nil, webNameservers: webDelegated ? web.hosts.map(addresses) : nil,
            mxNameservers: mxNameserverHosts.map(addresses), tlsrpt: records(ResolutionRules.tlsrptName(domain), .txt))
    }

    private static func key(_ name: String, _ type: String) -> String {
        "\(DNSNames.normalise(name)) \(type.uppercased())"
    }
}
