import LabEndpoints

/// The whole hostile zoo of issue 11 as one lab a real coordinator and agent measure: the DNS
/// cases of ``LabWorld/hostile``, plus one domain per hostile endpoint behaviour (its web host
/// or its mail exchanger served by `peil lab serve` with that port mode), plus `special.nl`,
/// whose web host and mail exchanger are at special-purpose addresses outside the lab
/// (10.1.2.3, fc00::1, 169.254.169.254, fd00::25) that the agent's fence refuses, so nothing is
/// sent there (and no lab namespace has a route to them: a packet could not leave either).
///
/// | domain | port 80 | port 443 | port 25 |
/// |---|---|---|---|
/// | `tarpit.nl`, `tlsreset.nl`, `tlsgarbage.nl`, `allsuites.nl`, `longchain.nl` | serve | the TLS mode | — |
/// | `slowloris.nl`, `endlesshead.nl`, `redirectloop.nl`, `nothttp.nl` | the HTTP mode | serve | — |
/// | `slowgreeting.nl`, `endlessreply.nl`, `unavailable.nl`, `nulbanner.nl`, `plaintextstarttls.nl` | — | — | the SMTP mode |
public enum HostileZoo {
    /// The web cases: domain, port 80's mode, port 443's mode.
    public static let webCases: [(domain: String, http: EndpointPortMode, https: EndpointPortMode)] = [
        ("tarpit.nl", .serve, .tlsTarpit), ("tlsreset.nl", .serve, .tlsReset), ("tlsgarbage.nl", .serve, .tlsGarbage),
        ("allsuites.nl", .serve, .tlsAllSuites), ("longchain.nl", .serve, .tlsLongChain),
        ("slowloris.nl", .httpSlowloris, .serve), ("endlesshead.nl", .httpEndlessHead, .serve),
        ("redirectloop.nl", .httpRedirectLoop, .serve), ("nothttp.nl", .httpNotHTTP, .serve),
    ]
    /// The mail cases: domain and port 25's mode.
    public static let mailCases: [(domain: String, smtp: EndpointPortMode)] = [
        ("slowgreeting.nl", .smtpSlowGreeting), ("endlessreply.nl", .smtpEndlessReply), ("unavailable.nl", .smtpUnavailable),
        ("nulbanner.nl", .smtpNULBanner), ("plaintextstarttls.nl", .smtpPlaintextAfterStartTLS),
    ]
    /// Web host and mail exchanger at special-purpose addresses.
    public static let specialDomain = "special.nl"
    /// Web-pool indexes from here on (``LabWorld/hostile`` takes the first few).
    static let firstWebIndex = 100
    static let firstMailIndex = 100

    /// The hostile DNS world with the endpoint cases' zones and domains added.
    public static var world: LabWorld {
        var world = LabWorld.hostile
        let reject = "v=spf1 -all"
        for (index, web) in webCases.enumerated() {
            let host = "www." + web.domain, address = webAddress(index)
            world.zones.append(zone(web.domain, [.a(host, address.ipv4), .aaaa(host, address.ipv6), .txt(web.domain, [reject])]))
            world.domains.append(LabDomain(name: web.domain))
        }
        for (index, mail) in mailCases.enumerated() {
            let exchanger = "mx." + mail.domain, address = mailAddress(index)
            world.zones.append(zone(mail.domain, [.mx(mail.domain, 10, exchanger), .a(exchanger, address.ipv4), .aaaa(exchanger, address.ipv6),
                                                  .txt(mail.domain, ["v=spf1 mx -all"]), .txt("_dmarc." + mail.domain, ["v=DMARC1; p=reject"])]))
            world.domains.append(LabDomain(name: mail.domain))
        }
        let special = specialDomain
        world.zones.append(zone(special, [.a("www." + special, "10.1.2.3"), .aaaa("www." + special, "fc00::1"),
                                          .mx(special, 10, "mx." + special), .a("mx." + special, "169.254.169.254"),
                                          .aaaa("mx." + special, "fd00::25"),
                                          .txt(special, ["v=spf1 mx -all"])]))
        world.domains.append(LabDomain(name: special))
        return world
    }

    /// The endpoint plan: one platform per case, on both families.
    public static var endpoints: EndpointPlan {
        let tls = EndpointTLS(versions: ["TLSv1.2", "TLSv1.3"], ciphers: ["ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256"],
                              groups: ["X25519"], key: "rsa-2048", certificate: "valid", clientRenegotiation: false)
        var platforms: [EndpointPlatform] = []
        var sites: [EndpointSite] = []
        for (index, web) in webCases.enumerated() {
            let host = "www." + web.domain, address = webAddress(index)
            let ports = [EndpointPort(port: 80, mode: web.http), EndpointPort(port: 443, mode: web.https)]
            platforms.append(EndpointPlatform(id: "web-zoo-\(index)", service: .web,
                                              addresses: [address.ipv4, address.ipv6].map { EndpointAddress(address: $0, ports: ports) },
                                              tls: tls, names: [host]))
            sites.append(EndpointSite(host: host, redirectStatus: 301, location: "https://\(host)/", hsts: nil, differentOverIPv6: false))
        }
        for (index, mail) in mailCases.enumerated() {
            let address = mailAddress(index)
            let ports = [EndpointPort(port: 25, mode: mail.smtp)]
            platforms.append(EndpointPlatform(id: "mail-zoo-\(index)", service: .mail,
                                              addresses: [address.ipv4, address.ipv6].map { EndpointAddress(address: $0, ports: ports) },
                                              tls: tls, names: ["mx." + mail.domain], starttls: true))
        }
        return EndpointPlan(rttMilliseconds: 0, platforms: platforms, sites: sites)
    }

    private static func webAddress(_ index: Int) -> (ipv4: String, ipv6: String) {
        (LabAddressPlan.ipv4(.web, firstWebIndex + index), LabAddressPlan.ipv6(.web, firstWebIndex + index))
    }

    private static func mailAddress(_ index: Int) -> (ipv4: String, ipv6: String) {
        (LabAddressPlan.ipv4(.mail, firstMailIndex + index), LabAddressPlan.ipv6(.mail, firstMailIndex + index))
    }

    private static func zone(_ name: String, _ records: [LabRecord]) -> LabZone {
        LabZone(name: name, dnssec: .unsigned, servers: "hostile", records: records)
    }
}
