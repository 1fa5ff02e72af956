import PeilModel

extension TwinGenerator {
    /// A configuration whose derived statuses are the target's.
    mutating func domain(for target: TwinTarget) -> TwinDomain {
        let name = target.name, web = target.web, mail = target.mail
        let mailProvider = pickProvider(passing: mail["ipv6_nameserver"] == .passed, layer: target.layer)
        var webZone: TwinDelegation?
        if target.webHost != name && web["ipv6_nameserver"] != mail["ipv6_nameserver"] {
            webZone = TwinDelegation(dnsProvider: pickProvider(passing: web["ipv6_nameserver"] == .passed, layer: target.layer), dnssec: .signed)
        }
        let parentSecure = parentIsSecure(name)
        var mode: LabDNSSECMode = .signed
        if web["dnssec"] == .failed {
            var variants: [String] = []
            if !mustBeSecure.contains(name) || target.webHost == name { variants += ["unsigned", "without-ds"] }
            if target.webHost != name && parentSecure { variants += ["expired", "ds-mismatch"] }
            if variants.isEmpty { variants = ["unsigned"] }
            switch random.pick(variants) {
            case "unsigned": mode = .unsigned
            case "without-ds": mode = .signedWithoutDS
            case let bogus:
                let bogusMode: LabDNSSECMode = bogus == "expired" ? .bogusExpiredSignatures : .bogusDSMismatch
                webZone = TwinDelegation(dnsProvider: webZone?.dnsProvider ?? mailProvider, dnssec: bogusMode)
            }
        }
        modes[name] = mode
        let platform = webPlatform(for: web, layer: target.layer, name: name)
        let available = web["tls_available"] == .passed
        let redirect: TwinRedirect = !available || web["https_redirect"] == .passed ? .sameHostHTTPS
            : random.pick([.none, .none, .otherHostHTTPS, .otherHostHTTP])
        var hsts: String? = random.chance(0.3) ? "max-age=63072000; includeSubDomains; preload" : "max-age=31536000"
        if !available || web["hsts"] == .failed {
            hsts = random.weighted([("missing", 0.5), ("half", 0.35), ("garbled", 0.15)]) == "missing" ? nil
                : random.chance(0.7) ? "max-age=15768000" : "max-age=6 months"
        }
        let secure = web["dnssec"] == .passed
        let caa = random.chance(0.4)
        let tlsa = secure && random.chance(0.15)
        var twinWeb = TwinWeb(host: target.webHost, zone: webZone, platform: platform, redirect: redirect, hsts: hsts)
        vary(&twinWeb, caa: caa, tlsa: tlsa)
        let mailConfig = mailConfiguration(target, zoneSecure: mode == .signed && parentSecure, webPlatform: platform)
        var reported: [String: Status] = [:]
        if mail["starttls"] == .info && mail["dane"] == .notTested { reported["dane"] = .notTested }
        return TwinDomain(name: name, layer: target.layer, organisation: target.organisation, sets: target.sets,
                          dnsProvider: mailProvider, dnssec: mode, web: twinWeb, mail: mailConfig.mail, reported: reported)
    }

    /// The web host's security headers, security.txt, CAA set and TLSA, drawn from ``variety``
    /// (every draw made whatever the outcome, so the stream stays aligned): a CAA set where the
    /// first stream chose one, a TLSA (matching or not) where it chose one (secure zones only).
    mutating func vary(_ web: inout TwinWeb, caa: Bool, tlsa: Bool) {
        let headers = variety.weighted([(TwinSecurityHeaders.complete, 0.5), (.missingCSP, 0.2), (.lenientReferrer, 0.1),
                                        (.badValues, 0.1), (.none, 0.1)])
        let securityTxt = variety.weighted([(TwinSecurityTxt.signed, 0.1), (.unsigned, 0.3), (.expired, 0.1), (.wrongContentType, 0.1),
                                            (.legacyLocation, 0.05), (.missing, 0.35)])
        let caaSet = variety.weighted([(TwinCAA.issue, 0.5), (.issueWithReport, 0.2), (.issuewildOnly, 0.1), (.unknownProperty, 0.1),
                                       (.badValidationMethods, 0.1)])
        let mismatch = variety.chance(0.3)
        web.headers = headers
        web.securityTxt = securityTxt
        web.caa = caa ? caaSet : .none
        web.tlsa = tlsa ? (mismatch ? .mismatch : .valid) : .none
    }

    /// Whether every zone above `name` (measured parents; organisation zones are signed) is secure.
    func parentIsSecure(_ name: String) -> Bool {
        var parent = DNSName.parent(of: name)
        while let current = parent, DNSName.depth(current) >= 2 {
            if let mode = modes[current], mode != .signed { return false }
            parent = DNSName.parent(of: current)
        }
        return true
    }

    /// A DNS provider whose nameservers pass (or fail) the IPv6 test; central government leans on `rijksdns`.
    mutating func pickProvider(passing: Bool, layer: String) -> String {
        if passing {
            if (layer == "rijk" || layer == "uitvoerders") && random.chance(0.5) { return "rijksdns" }
            return random.pick(goodProviders)
        }
        return random.pick(badProviders)
    }

    /// A web platform giving the target's TLS and IPv6 statuses: shared hosting for most
    /// municipalities and joint arrangements, own servers for more of central government.
    mutating func webPlatform(for web: [String: Status], layer: String, name: String) -> String {
        let https: TwinHTTPS = switch web["tls_available"] {
        case .passed: .tls
        case .failed: .refused
        default: .silent
        }
        let available = https == .tls
        let ipv6: TwinIPv6 = web["ipv6_webserver"] == .passed ? .answering
            : TwinIPv6(rawValue: random.weighted([("none", 0.6), ("silent", 0.25), ("fewerPorts", 0.15)]))!
        let tlsStatus = available ? web["tls_ncsc"] ?? .passed : .passed
        let shared = random.chance(layer == "rijk" || layer == "uitvoerders" ? 0.35 : 0.7)
        if shared {
            let hoster = random.pick(Self.webHosters)
            let key = "\(hoster)|\(https.rawValue)|\(tlsStatus.rawValue)|\(ipv6.rawValue)"
            if let position = sharedWeb[key] { return webPlatforms[position].id }
            let profile = random.pick(TwinTLSCatalogue.ids(giving: tlsStatus, for: .web))
            let id = "web-\(hoster.dropFirst(8))-\(sharedWeb.count + 1)"
            sharedWeb[key] = webPlatforms.count
            webPlatforms.append(makeWebPlatform(id: id, provider: hoster, count: 2, ipv6: ipv6, https: https, profile: profile))
            return id
        }
        let profile = random.pick(TwinTLSCatalogue.ids(giving: tlsStatus, for: .web))
        let id = "web-self-" + name.replacingOccurrences(of: ".", with: "-")
        webPlatforms.append(makeWebPlatform(id: id, provider: "self", count: 1, ipv6: ipv6, https: https, profile: profile))
        return id
    }

    mutating func makeWebPlatform(id: String, provider: String, count: Int, ipv6: TwinIPv6, https: TwinHTTPS, profile: String) -> TwinWebPlatform {
        let pairs = (0..<count).map { _ in addresses.take(.web) }
        return TwinWebPlatform(id: id, provider: provider, ipv4: pairs.map(\.ipv4), ipv6: ipv6 == .none ? [] : pairs.map(\.ipv6),
                               ipv6Service: ipv6, https: https, tlsProfile: profile)
    }
}
