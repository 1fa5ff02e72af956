import PeilModel

/// The RPKI subtests of one domain (Internet.nl's `web_rpki` and `mail_rpki` categories) from
/// its DNS facts and the measurement's routing snapshot: web server, mail servers, the
/// nameservers of each test and those of the MX hosts' zones (``RPKISubtests``; Internet.nl's
/// `checks/tasks/rpki.py` `do_mx_ns_rpki`).
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
        let mxNS = facts.mxNameservers.map { RPKISubtests.evaluate(hosts($0), snapshot: snapshot) }
            ?? (exists: StatusCell(.notTested, notObserved), valid: StatusCell(.notTested, notObserved))
        return [
            .webRPKIExists: web.exists, .webRPKIValid: web.valid,
            .webNSRPKIExists: webNS.exists, .webNSRPKIValid: webNS.valid,
            .mailRPKIExists: mail.exists, .mailRPKIValid: mail.valid,
            .mailNSRPKIExists: mailNS.exists, .mailNSRPKIValid: mailNS.valid,
            .mailMXNSRPKIExists: mxNS.exists, .mailMXNSRPKIValid: mxNS.valid,
        ]
    }

    static let notObserved = "the MX hosts' nameservers were not observed (resolved before Peil looked them up)"
}
