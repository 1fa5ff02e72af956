import PeilModel

/// The four IPv6 subtests shared in shape by the web and mail tests: addresses of the
/// nameservers and of the servers, and their reachability over IPv6 (CHECKS.md, web table).
/// The bulk columns `ipv6_nameserver`/`ipv6_webserver` are these pairs together
/// (``IPv6Columns``); here each half is its own cell.
public enum IPv6Subtests {
    /// `ns_aaaa`: at least two nameservers with AAAA (IPv4-mapped ones do not count); `error`
    /// when a failed NS lookup leaves the set unknown (`climbFailure`, as ``IPv6Columns``).
    public static func nameserverAddresses(_ evidence: DomainEvidence, servers: [HostAddresses], climbFailure: String?) -> StatusCell {
        if let climbFailure { return .nameserverSetUnknown(failedAt: climbFailure) }
        guard !servers.isEmpty else { return StatusCell(.failed, "no nameservers found") }
        let withAAAA = servers.filter { $0.ipv6.contains { !ConnectPlanner.isMapped($0) } }
        let listed = withAAAA.map(\.host).joined(separator: ", ")
        if withAAAA.count >= 2 { return StatusCell(.passed, "\(withAAAA.count) of \(servers.count) nameservers have AAAA: \(listed)") }
        let unknown = servers.filter { $0.ipv6.isEmpty && evidence.lookupFailed($0.host, "AAAA") }.map(\.host)
        if withAAAA.count + unknown.count >= 2 { return StatusCell(.error, "the AAAA lookup of " + unknown.joined(separator: ", ") + " failed") }
        return StatusCell(.failed, "\(withAAAA.count) of \(servers.count) nameservers have AAAA" + (listed.isEmpty ? "" : ": " + listed))
    }

    /// `ns_reach`: every IPv6 address of the nameservers answers a DNS query; not tested
    /// when no nameserver has AAAA.
    public static func nameserverReachability(_ evidence: DomainEvidence, servers: [HostAddresses], climbFailure: String?) -> StatusCell {
        if let climbFailure { return .nameserverSetUnknown(failedAt: climbFailure) }
        var silent: [String] = [], unknown: [String] = [], answered: [String] = []
        for server in servers {
            for address in server.ipv6 where !ConnectPlanner.isMapped(address) {
                guard let probe = evidence.nameservers[address] else {
                    unknown.append("\(server.host) \(address) (\(evidence.whyNotProbed(.nameserver, address)))")
                    continue
                }
                if probe.answered { answered.append("\(server.host) \(address)") } else { silent.append("\(server.host) \(address)") }
            }
        }
        if !silent.isEmpty { return StatusCell(.failed, "no answer over IPv6 from " + silent.joined(separator: ", ")) }
        if !unknown.isEmpty { return StatusCell(.error, "not probed: " + unknown.joined(separator: ", ")) }
        if answered.isEmpty { return StatusCell(.notTested, "no nameserver has an IPv6 address") }
        return StatusCell(.passed, "answering over IPv6: " + answered.joined(separator: ", "))
    }

    /// `web_aaaa`: the web host has AAAA.
    public static func webServerAddresses(_ evidence: DomainEvidence) -> StatusCell {
        let web = evidence.facts.web
        let ipv6 = web.ipv6.filter { !ConnectPlanner.isMapped($0) }
        if !ipv6.isEmpty { return StatusCell(.passed, "\(web.host) AAAA " + ipv6.joined(separator: ", ")) }
        if evidence.lookupFailed(web.host, "AAAA") { return StatusCell(.error, "the AAAA lookup of \(web.host) failed") }
        return StatusCell(.failed, "\(web.host) has no AAAA")
    }

    /// `web_reach`: every IPv6 address of the web host accepts connections on the ports open
    /// over IPv4 (the ``IPv6Columns/webServer(_:)`` rule); not tested without AAAA.
    public static func webServerReachability(_ evidence: DomainEvidence) -> StatusCell {
        let address = webServerAddresses(evidence)
        guard address.status == .passed else { return StatusCell(.notTested, address.because) }
        return IPv6Columns.webServer(evidence)
    }

    /// `mx_aaaa`: every MX host has AAAA.
    public static func mailServerAddresses(_ hosts: [MailExchanger], _ evidence: DomainEvidence) -> StatusCell {
        var missing: [String] = [], unknown: [String] = []
        for host in hosts where host.ipv6.allSatisfy(ConnectPlanner.isMapped) {
            if evidence.lookupFailed(host.host, "AAAA") { unknown.append(host.host) } else { missing.append(host.host) }
        }
        if !missing.isEmpty { return StatusCell(.failed, "no AAAA: " + missing.joined(separator: ", ")) }
        if !unknown.isEmpty { return StatusCell(.error, "AAAA lookup failed: " + unknown.joined(separator: ", ")) }
        return StatusCell(.passed, "every MX host has AAAA: " + hosts.map(\.host).joined(separator: ", "))
    }

    /// `mx_reach`: port 25 answers on every IPv6 address of every MX host; not tested when
    /// no MX host has AAAA.
    public static func mailServerReachability(_ hosts: [MailExchanger], _ evidence: DomainEvidence) -> StatusCell {
        var silent: [String] = [], unknown: [String] = [], answered: [String] = []
        for host in hosts {
            for address in host.ipv6 where !ConnectPlanner.isMapped(address) {
                guard let seen = evidence.mail[address] else { unknown.append("\(address) (\(evidence.whyNotProbed(.mail, address)))"); continue }
                if seen.tls.outcome == .unreachable { silent.append("\(host.host) \(address)") } else { answered.append("\(host.host) \(address)") }
            }
        }
        if !silent.isEmpty { return StatusCell(.failed, "port 25 does not answer: " + silent.joined(separator: ", ")) }
        if !unknown.isEmpty { return StatusCell(.error, "not probed: " + unknown.joined(separator: ", ")) }
        if answered.isEmpty { return StatusCell(.notTested, "no MX host has an IPv6 address") }
        return StatusCell(.passed, "port 25 answers over IPv6: " + answered.joined(separator: ", "))
    }
}
