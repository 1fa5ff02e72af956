import PeilModel

/// The RPKI subtests of one domain (Internet.nl's `web_rpki` and `mail_rpki` categories) from
/// its DNS facts and the measurement's routing snapshot: web server, mail servers, and the
/// nameservers of each test (``RPKISubtests``).
public enum RPKIDomainSubtests {
    public static func evaluate(_ facts: DNSFacts, snapshot: RPKISnapshot?) -> [SubtestID: StatusCell] {
        func hosts(_ servers: [HostAddresses]) -> [RPKISubtests.Host] {
            servers.map { RPKISubtests.Host(name: $0.host, addresses: $0.ipv4 + $0.ipv6) }
        }
        let web = RPKISubtests.evaluate(hosts([facts.web]), snapshot: snapshot)
        let webNS = RPKISubtests.evaluate(hosts(facts.webNameservers ?? facts.nameservers), snapshot: snapshot)
        let mailServers = facts.mx.filter { !$0.host.isEmpty }.map { RPKISubtests.Host(name: $0.host, addresses: $0.ipv4 + $0.ipv6) }
        let mail = RPKISubtests.evaluate(mailServers, snapshot: snapshot)
        let mailNS = RPKISubtests.evaluate(hosts(facts.nameservers), snapshot: snapshot)
        return [
            .webRPKIExists: web.exists, .webRPKIValid: web.valid,
            .webNSRPKIExists: webNS.exists, .webNSRPKIValid: webNS.valid,
            .mailRPKIExists: mail.exists, .mailRPKIValid: mail.valid,
            .mailNSRPKIExists: mailNS.exists, .mailNSRPKIValid: mailNS.valid,
        ]
    }
}
