import LabEndpoints

/// The endpoint plan of a twin: every web and mail platform with its ports per address, its
/// TLS profile and certificate names, every web host's redirect, HSTS, security headers,
/// security.txt (``TwinSecurityHeaders``, ``TwinSecurityTxt``) and page over IPv6, and the TLSA
/// stand-ins of ``TwinCompiler/tlsaData(_:service:platform:)`` to be replaced by real digests.
public enum TwinEndpoints {
    /// Where `otherHostHTTPS`/`otherHostHTTP` redirects go: another host under the same name.
    public static func otherHost(of host: String) -> String { "portaal." + host }

    /// The plan; `rttMilliseconds` is overridden by the lab's configuration at `up`.
    public static func plan(_ twin: TwinWorld, rttMilliseconds: Int = 20) -> EndpointPlan {
        let profiles = Dictionary(twin.tlsProfiles.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var webNames: [String: [String]] = [:]
        var sites: [EndpointSite] = []
        var placeholders: [EndpointTLSAPlaceholder] = []
        for domain in twin.domains {
            let web = domain.web
            var hosts = [web.host]
            if domain.mail.apexAddress && web.host != domain.name { hosts.append(domain.name) }
            webNames[web.platform, default: []] += hosts
            let (status, location): (Int?, String?) = switch web.redirect {
            case .sameHostHTTPS: (301, "https://\(web.host)/")
            case .none: (nil, nil)
            case .otherHostHTTPS: (301, "https://\(otherHost(of: web.host))/")
            case .otherHostHTTP: (302, "http://\(otherHost(of: web.host))/")
            }
            let headers = web.headers.fields
            sites.append(EndpointSite(host: web.host, redirectStatus: status, location: location, hsts: web.hsts,
                                      differentOverIPv6: web.differentContentOverIPv6, securityHeaders: headers,
                                      securityTxt: web.securityTxt.served(host: web.host, domain: domain.name), scriptNonce: web.scriptNonce))
            if web.host != domain.name && domain.mail.apexAddress {
                sites.append(EndpointSite(host: domain.name, redirectStatus: 301, location: "https://\(web.host)/", hsts: web.hsts,
                                          differentOverIPv6: false, securityHeaders: headers,
                                          securityTxt: web.securityTxt.served(host: domain.name, domain: domain.name)))
            }
            if let data = TwinCompiler.tlsaData(web.tlsa, service: .web, platform: web.platform) {
                placeholders.append(EndpointTLSAPlaceholder(data: data, platform: "web-" + web.platform, matches: web.tlsa == .valid))
            }
        }
        var platforms: [EndpointPlatform] = []
        for platform in twin.webPlatforms {
            guard let profile = profiles[platform.tlsProfile] else { continue }
            let https: EndpointPortMode? = switch platform.https {
            case .tls: .serve
            case .refused: nil
            case .silent: .silent
            }
            func ports(http: EndpointPortMode?, https: EndpointPortMode?) -> [EndpointPort] {
                [http.map { EndpointPort(port: 80, mode: $0) }, https.map { EndpointPort(port: 443, mode: $0) }].compactMap { $0 }
            }
            var addresses = platform.ipv4.map { EndpointAddress(address: $0, ports: ports(http: .serve, https: https)) }
            let ipv6Ports: [EndpointPort]? = switch platform.ipv6Service {
            case .none: nil
            case .answering: ports(http: .serve, https: https)
            case .silent: ports(http: .silent, https: .silent)
            case .fewerPorts: ports(http: nil, https: https)
            }
            if let ipv6Ports { addresses += platform.ipv6.map { EndpointAddress(address: $0, ports: ipv6Ports) } }
            platforms.append(EndpointPlatform(id: "web-" + platform.id, service: .web, addresses: addresses, tls: tls(profile),
                                              names: webNames[platform.id] ?? ["\(platform.id).web.lab"], server: software(platform.server)))
        }
        for platform in twin.mailPlatforms {
            guard let profile = profiles[platform.tlsProfile] else { continue }
            let smtp: EndpointPortMode = platform.smtp == .silent ? .silent : .serve
            var addresses = platform.ipv4.map { EndpointAddress(address: $0, ports: [EndpointPort(port: 25, mode: smtp)]) }
            if platform.ipv6Service != .none {
                let mode: EndpointPortMode = platform.ipv6Service == .silent ? .silent : smtp
                addresses += platform.ipv6.map { EndpointAddress(address: $0, ports: [EndpointPort(port: 25, mode: mode)]) }
            }
            let names = platform.hostNames.isEmpty ? ["\(platform.id).mail.lab"] : platform.hostNames
            platforms.append(EndpointPlatform(id: "mail-" + platform.id, service: .mail, addresses: addresses, tls: tls(profile),
                                              names: names, starttls: platform.smtp == .starttls, server: software(platform.server)))
            if let data = TwinCompiler.tlsaData(platform.tlsa, service: .mail, platform: platform.id) {
                placeholders.append(EndpointTLSAPlaceholder(data: data, platform: "mail-" + platform.id, matches: platform.tlsa == .valid))
            }
        }
        return EndpointPlan(rttMilliseconds: rttMilliseconds, platforms: platforms, sites: sites, tlsa: placeholders)
    }

    static func software(_ server: TwinServerSoftware?) -> EndpointSoftware? {
        server.flatMap { EndpointSoftware(rawValue: $0.rawValue) }
    }

    static func tls(_ profile: TwinTLSProfile) -> EndpointTLS {
        EndpointTLS(versions: profile.versions, ciphers: profile.ciphers, groups: profile.groups, key: profile.key,
                    certificate: profile.certificate, clientRenegotiation: profile.clientRenegotiation,
                    ocspStapling: profile.ocspStapling)
    }
}
