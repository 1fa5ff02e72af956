/// A connect task a resolved domain needs, with the key that deduplicates it within a
/// measurement: domains that share an endpoint share its task.
public struct PlannedConnect: Codable, Sendable, Hashable {
    public var kind: TaskKind
    public var target: ConnectTarget

    public init(kind: TaskKind, target: ConnectTarget) {
        self.kind = kind
        self.target = target
    }

    /// One task per key and measurement. Reachability and nameserver probes do not depend on
    /// the name (one per address); a web probe sends the name as SNI and `Host`, so it is
    /// per address and host.
    public var endpointKey: String {
        switch kind {
        case .web: "\(kind.rawValue)|\(target.address)|\(target.host)"
        default: "\(kind.rawValue)|\(target.address)"
        }
    }
}

/// The connect tasks of one domain and the caps that cut its plan, each named ("web host
/// www.example.nl: 3000 IPv4 addresses, first 16 planned").
public struct ConnectPlan: Sendable, Hashable {
    public var tasks: [PlannedConnect]
    /// One line per cap that bit; empty when nothing was left out.
    public var capped: [String]

    public init(tasks: [PlannedConnect], capped: [String] = []) {
        self.tasks = tasks
        self.capped = capped
    }
}

/// Which addresses the coordinator plans connect tasks for (`peil coordinator --targets`).
public enum ConnectTargetPolicy: String, Sendable, Hashable, CaseIterable {
    /// Every resolved address: the lab, whose targets are in special-purpose ranges
    /// (benchmarking); the agents' own fence still refuses what is outside the lab.
    case lab
    /// Public addresses only (``SpecialPurposeAddresses``): a field measurement. An address a
    /// hostile zone points at loopback, a private network or a metadata service gets no task,
    /// and the plan names it.
    case `public`
}

/// Which connect tasks a domain's resolved facts call for (CHECKS.md, web table):
///
/// - `reach`: TCP 80 and 443 on every address of the web host (the IPv6 web test compares
///   reachability over both families);
/// - `web`: the TLS scan and HTTP exchanges on one IPv4 and one IPv6 address of the web host
///   (Internet.nl tests HTTPS on one address per family), the first of each in text order;
/// - `nameserver`: an NS query to every IPv6 address of the domain's nameservers, and of the
///   web host's when it is delegated (IPv4-mapped addresses do not count as IPv6);
/// - `mail`: SMTP STARTTLS on every address of every MX host, once per address however many
///   domains (and MX names) share it: a cloud provider's four addresses cost four probes.
///
/// Caps (the resolution keeps the same per-answer ones, so an honest agent's facts never hit
/// them; these hold for any facts): at most ``maxAddressesPerFamily`` addresses per host and
/// family (first in text order), ``maxNameserverHosts`` nameserver hosts, ``maxMailHosts`` MX
/// hosts and ``maxTasksPerDomain`` tasks in all (reach, web, nameserver, mail in that order).
/// An address left out has no observation, so its verdicts say "not probed" (error), never failed.
///
/// Under the `public` target policy a special-purpose address is left out before the caps
/// count (a web address so refused gets no web task; the other family's still does), each
/// named in ``ConnectPlan/capped`` ("web host www.x.nl: not probed: 10.1.2.3 is a
/// special-purpose address (RFC 1918 private-use, 10.0.0.0/8)").
public enum ConnectPlanner {
    /// Addresses planned per host and family (the resolution's `AnswerCaps.maxAddresses`).
    public static let maxAddressesPerFamily = 16
    /// Nameserver hosts planned per domain (the domain's and the web host's NS sets together).
    public static let maxNameserverHosts = 16
    /// MX hosts planned per domain (Internet.nl tests at most 10).
    public static let maxMailHosts = 10
    /// Connect tasks planned per domain.
    public static let maxTasksPerDomain = 128

    public static func plan(_ facts: DNSFacts, targets: ConnectTargetPolicy = .lab) -> [PlannedConnect] {
        planned(facts, targets: targets).tasks
    }

    /// The plan with the caps that bit and the addresses the target policy refused.
    public static func planned(_ facts: DNSFacts, targets: ConnectTargetPolicy = .lab) -> ConnectPlan {
        var planned: [PlannedConnect] = []
        var capped: [String] = []
        /// The host's addresses within the per-family cap, noting a cut.
        func addresses(_ host: HostAddresses, _ role: String) -> [String] {
            var kept: [String] = []
            for (family, list) in [("IPv4", host.ipv4), ("IPv6", host.ipv6)] {
                var usable = list.filter { !isMapped($0) }.sorted()
                if targets == .public {
                    for address in usable {
                        if let refusal = SpecialPurposeAddresses.refusal(of: address) { capped.append("\(role) \(host.host): \(refusal)") }
                    }
                    usable.removeAll { SpecialPurposeAddresses.refusal(of: $0) != nil }
                }
                if usable.count > maxAddressesPerFamily {
                    capped.append("\(role) \(host.host): \(usable.count) \(family) addresses, first \(maxAddressesPerFamily) planned")
                }
                kept += usable.prefix(maxAddressesPerFamily)
            }
            return kept
        }
        let web = facts.web
        for address in addresses(web, "web host") {
            planned.append(PlannedConnect(kind: .reach, target: ConnectTarget(address: address, family: ConnectTarget.family(of: address), host: web.host)))
        }
        for chosen in [webAddress(web.ipv4), webAddress(web.ipv6)].compactMap({ $0 })
        where targets == .lab || SpecialPurposeAddresses.refusal(of: chosen) == nil {
            planned.append(PlannedConnect(kind: .web, target: ConnectTarget(address: chosen, family: ConnectTarget.family(of: chosen), host: web.host)))
        }
        let servers = facts.nameservers + (facts.webNameservers ?? [])
        if servers.count > maxNameserverHosts {
            capped.append("\(servers.count) nameserver hosts, first \(maxNameserverHosts) planned")
        }
        for server in servers.prefix(maxNameserverHosts) {
            for address in addresses(HostAddresses(host: server.host, ipv6: server.ipv6), "nameserver") {
                planned.append(PlannedConnect(kind: .nameserver, target: ConnectTarget(address: address, family: .ipv6, host: server.host)))
            }
        }
        let exchangers = facts.mx.filter { !$0.host.isEmpty }
        if exchangers.count > maxMailHosts {
            capped.append("\(exchangers.count) MX hosts, first \(maxMailHosts) planned")
        }
        for exchanger in exchangers.prefix(maxMailHosts) {
            for address in addresses(HostAddresses(host: exchanger.host, ipv4: exchanger.ipv4, ipv6: exchanger.ipv6), "MX host") {
                planned.append(PlannedConnect(kind: .mail, target: ConnectTarget(address: address, family: ConnectTarget.family(of: address), host: exchanger.host)))
            }
        }
        var seen = Set<String>()
        let unique = planned.filter { seen.insert($0.endpointKey).inserted }
        if unique.count > maxTasksPerDomain {
            capped.append("\(unique.count) connect tasks, first \(maxTasksPerDomain) planned")
        }
        return ConnectPlan(tasks: Array(unique.prefix(maxTasksPerDomain)), capped: capped)
    }

    /// The address of one family the web probe uses: the first in text order, so every run
    /// picks the same.
    public static func webAddress(_ addresses: [String]) -> String? {
        addresses.filter { !isMapped($0) }.min()
    }

    /// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`).
    public static func isMapped(_ address: String) -> Bool {
        address.lowercased().hasPrefix("::ffff:")
    }
}
