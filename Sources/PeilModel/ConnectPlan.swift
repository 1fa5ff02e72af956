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
public enum ConnectPlanner {
    public static func plan(_ facts: DNSFacts) -> [PlannedConnect] {
        var planned: [PlannedConnect] = []
        let web = facts.web
        for address in web.ipv4 + web.ipv6 where !isMapped(address) {
            planned.append(PlannedConnect(kind: .reach, target: ConnectTarget(address: address, family: ConnectTarget.family(of: address), host: web.host)))
        }
        for chosen in [webAddress(web.ipv4), webAddress(web.ipv6)].compactMap({ $0 }) {
            planned.append(PlannedConnect(kind: .web, target: ConnectTarget(address: chosen, family: ConnectTarget.family(of: chosen), host: web.host)))
        }
        for server in facts.nameservers + (facts.webNameservers ?? []) {
            for address in server.ipv6 where !isMapped(address) {
                planned.append(PlannedConnect(kind: .nameserver, target: ConnectTarget(address: address, family: .ipv6, host: server.host)))
            }
        }
        for exchanger in facts.mx where !exchanger.host.isEmpty {
            for address in exchanger.ipv4 + exchanger.ipv6 where !isMapped(address) {
                planned.append(PlannedConnect(kind: .mail, target: ConnectTarget(address: address, family: ConnectTarget.family(of: address), host: exchanger.host)))
            }
        }
        var seen = Set<String>()
        return planned.filter { seen.insert($0.endpointKey).inserted }
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
