import PeilModel

/// The IPv6 columns shared by the web and mail tests (CHECKS.md, web table).
public enum IPv6Columns {
    /// `ipv6_nameserver`: at least two nameservers with AAAA (IPv4-mapped ones do not count),
    /// and every nameserver IPv6 address answering a DNS query.
    /// `servers`: the NS set judged (the web test's or the mail test's); `climbFailure`: the
    /// name whose NS lookup failed on the way to it (``DomainEvidence/nameserverClimbFailure(from:to:)``):
    /// then the set is unknown, `error`.
    public static func nameservers(_ evidence: DomainEvidence, servers: [HostAddresses], climbFailure: String?) -> StatusCell {
        if let climbFailure { return .nameserverSetUnknown(failedAt: climbFailure) }
        guard !servers.isEmpty else { return StatusCell(.failed, "no nameservers found") }
        let withAAAA = servers.filter { $0.ipv6.contains { !ConnectPlanner.isMapped($0) } }
        let unknownAAAA = servers.filter { $0.ipv6.isEmpty && evidence.lookupFailed($0.host, "AAAA") }.map(\.host)
        guard withAAAA.count >= 2 else {
            if withAAAA.count + unknownAAAA.count >= 2 {
                return StatusCell(.error, "the AAAA lookup of " + unknownAAAA.joined(separator: ", ") + " failed")
            }
            return StatusCell(.failed, "\(withAAAA.count) of \(servers.count) nameservers have AAAA")
        }
        var silent: [String] = [], unknown: [String] = []
        for server in withAAAA {
            for address in server.ipv6 where !ConnectPlanner.isMapped(address) {
                guard let probe = evidence.nameservers[address] else {
                    unknown.append("\(server.host) \(address) (\(evidence.whyNotProbed(.nameserver, address)))")
                    continue
                }
                if !probe.answered { silent.append("\(server.host) \(address)") }
            }
        }
        if !silent.isEmpty { return StatusCell(.failed, "no answer over IPv6 from " + silent.joined(separator: ", ")) }
        if !unknown.isEmpty { return StatusCell(.error, "not probed: " + unknown.joined(separator: ", ")) }
        return StatusCell(.passed, "\(withAAAA.count) nameservers with AAAA, all answering over IPv6")
    }

    /// `ipv6_webserver`: the web host has AAAA, every IPv6 address accepts connections, and no
    /// IPv6 address has fewer of ports 80 and 443 open than the IPv4 addresses have.
    public static func webServer(_ evidence: DomainEvidence) -> StatusCell {
        let web = evidence.facts.web
        let ipv6 = web.ipv6.filter { !ConnectPlanner.isMapped($0) }
        if ipv6.isEmpty, evidence.lookupFailed(web.host, "AAAA") { return StatusCell(.error, "the AAAA lookup of \(web.host) failed") }
        guard !ipv6.isEmpty else { return StatusCell(.failed, "\(web.host) has no AAAA") }
        if evidence.lookupFailed(web.host, "A") {
            return StatusCell(.error, "the A lookup of \(web.host) failed: the ports open over IPv4 to compare with are unknown")
        }
        let ipv4Open = web.ipv4.reduce(into: Set<UInt16>()) { $0.formUnion(evidence.reach[$1]?.openPorts ?? []) }
        var problems: [String] = [], unknown: [String] = []
        for address in ipv6 {
            guard let reach = evidence.reach[address] else { unknown.append("\(address) (\(evidence.whyNotProbed(.reach, address)))"); continue }
            let open = reach.openPorts
            if open.isEmpty {
                problems.append("\(address) unreachable")
            } else if !ipv4Open.isSubset(of: open) {
                let missing = ipv4Open.subtracting(open).sorted().map(String.init).joined(separator: ", ")
                problems.append("\(address) lacks port \(missing) open over IPv4")
            }
        }
        if !problems.isEmpty { return StatusCell(.failed, problems.joined(separator: "; ")) }
        if !unknown.isEmpty { return StatusCell(.error, "not probed: " + unknown.joined(separator: ", ")) }
        return StatusCell(.passed, "AAAA " + ipv6.joined(separator: ", ") + " reachable")
    }
}
