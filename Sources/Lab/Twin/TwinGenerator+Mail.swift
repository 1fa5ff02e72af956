import PeilModel

extension TwinGenerator {
    /// MX, SPF, DMARC and DKIM giving the target's mail statuses.
    mutating func mailConfiguration(_ target: TwinTarget, zoneSecure: Bool, webPlatform: String) -> (mail: TwinMail, base: String) {
        let name = target.name, row = target.mail
        var mx: [TwinMX] = []
        var apexAddress = false
        var base = "a"
        switch row["starttls"] {
        case .notTested:
            if target.webHost != name && random.chance(0.15) { break }  // no MX and no address
            mx = [TwinMX(preference: 0, host: "")]
        case .info:
            apexAddress = true
        case .warning:
            let platform = mailPlatform(for: ["starttls": .passed, "starttls_ncsc": .passed, "dnssec_mx": .passed, "dane": .passed,
                                              "ipv6_mailserver": .passed], name: name, zoneSecure: zoneSecure, layer: target.layer)
            mx = [TwinMX(preference: 0, host: "")] + platform.hosts
        default:
            let platform = mailPlatform(for: row, name: name, zoneSecure: zoneSecure, layer: target.layer)
            mx = platform.hosts
            base = platform.spf
        }
        var txt: [String] = []
        var dmarc: [String] = []
        let nonSending = row["dkim"] == .notApplicable
        if nonSending {
            txt = ["v=spf1 -all"]
            dmarc = ["v=DMARC1; p=reject" + (random.chance(0.5) ? "; rua=mailto:dmarc@\(name)" : "")]
        } else {
            txt = spfRecords(spf: row["spf"], policy: row["spf_policy"], base: base)
            dmarc = dmarcRecords(dmarc: row["dmarc"], policy: row["dmarc_policy"], name: name)
        }
        if random.chance(0.3) { txt.append("peil-lab-site-verification=" + LabDigest.hex(name).prefix(24)) }
        let domainKey: TwinDomainKey = switch row["dkim"] {
        case .passed: .selector
        case .info: .wildcard
        case .notApplicable: .absent  // a `_domainkey` would make DKIM apply (and pass)
        default: .absent
        }
        return (TwinMail(mx: mx, apexAddress: apexAddress, txt: txt, dmarc: dmarc, domainKey: domainKey), base)
    }

    mutating func spfRecords(spf: Status?, policy: Status?, base: String) -> [String] {
        if spf == .failed {
            return random.chance(0.6) ? [] : ["v=spf1 \(base) -all", "v=spf1 mx ~all"]
        }
        if policy == .passed { return ["v=spf1 \(base) " + (random.chance(0.8) ? "-all" : "~all")] }
        switch random.pick(["neutral", "pass-all", "lookups", "unresolvable", "no-all"]) {
        case "neutral": return ["v=spf1 \(base) ?all"]
        case "pass-all": return ["v=spf1 \(base) +all"]
        case "lookups": return ["v=spf1 \(base) include:_spf.\(Self.bulkMailer) -all"]
        case "unresolvable": return ["v=spf1 \(base) include:spf.opgeheven-provider.nl -all"]
        default: return ["v=spf1 \(base)"]
        }
    }

    mutating func dmarcRecords(dmarc: Status?, policy: Status?, name: String) -> [String] {
        let own = "rua=mailto:dmarc@\(name)"
        if dmarc == .failed {
            let subdomain = TwinNames.organisational(name) != name
            return subdomain || random.chance(0.35) ? ["v=DMARC1; p=reject; \(own)", "v=DMARC1; p=none"] : []
        }
        switch policy {
        case .warning: return ["v=DMARC1; p=quarantine; rua=mailto:rapport@\(Self.unauthorisedReports)"]
        case .failed: return random.chance(0.8) ? ["v=DMARC1; p=none; \(own)"] : ["v=DMARC1; \(own); p=quarantine"]
        default:
            let destination = random.chance(0.3) ? "rua=mailto:rapport@\(Self.authorisedReports)" : own
            return ["v=DMARC1; p=\(random.chance(0.6) ? "reject" : "quarantine"); \(destination)"]
        }
    }

    /// A mail platform giving the five mail-server statuses: the cloud for its two clusters'
    /// statuses, the domain's own server when its zone allows, else a provider's cluster.
    mutating func mailPlatform(for row: [String: Status], name: String, zoneSecure: Bool, layer: String) -> (hosts: [TwinMX], spf: String) {
        let starttls = row["starttls"] ?? .passed, tls = row["starttls_ncsc"] ?? .passed
        let secureMX = row["dnssec_mx"] == .passed, dane = row["dane"] == .passed, ipv6 = row["ipv6_mailserver"] == .passed
        let smtp: TwinSMTP = starttls == .failed ? .noStarttls : starttls == .unreachable ? .silent : .starttls
        let profile = smtp == .starttls ? random.pick(TwinTLSCatalogue.ids(giving: tls, for: .mail)) : "modern"
        let ipv6Service: TwinIPv6 = ipv6 ? .answering : (smtp == .silent || random.chance(0.7) ? .none : .silent)
        let tlsa: TwinTLSA = dane ? .valid : secureMX && smtp == .starttls ? (random.chance(0.5) ? .mismatch : .none)
            : random.chance(0.3) ? .valid : .none
        if smtp == .starttls && tls == .warning && !secureMX && !dane && random.chance(0.9) {
            let cluster = ipv6 ? "cloud-v6" : "cloud-v4"
            let host = name.replacingOccurrences(of: ".", with: "-") + ".mail.\(Self.cloudZone)"
            if let position = sharedMail[cluster] {
                mailPlatforms[position].hostNames.append(host)
            } else {
                sharedMail[cluster] = mailPlatforms.count
                let pairs = (0..<4).map { _ in addresses.take(.mail) }
                mailPlatforms.append(TwinMailPlatform(id: cluster, provider: "wolkmail", hostNames: [host], ipv4: pairs.map(\.ipv4),
                                                      ipv6: ipv6 ? pairs.map(\.ipv6) : [], ipv6Service: ipv6 ? .answering : .none,
                                                      smtp: .starttls, tlsProfile: "legacy-versions", tlsa: .none))
            }
            return ([TwinMX(preference: 0, host: host)], "include:spf.\(Self.cloudZone)")
        }
        let selfHosted = zoneSecure == secureMX && random.chance(layer == "rijk" || layer == "uitvoerders" ? 0.45 : 0.2)
        if selfHosted {
            let host = "mail." + name, pair = addresses.take(.mail)
            mailPlatforms.append(TwinMailPlatform(id: "mail-self-" + name.replacingOccurrences(of: ".", with: "-"), provider: "self",
                                                  hostNames: [host], ipv4: [pair.ipv4], ipv6: ipv6Service == .none ? [] : [pair.ipv6],
                                                  ipv6Service: ipv6Service, smtp: smtp, tlsProfile: profile, tlsa: tlsa))
            return ([TwinMX(preference: 10, host: host)], "mx")
        }
        let zones = Self.mailZones.filter { secureMX ? $0.mode == .signed : $0.mode != .signed }
        let zone = random.pick(zones).zone
        let key = "\(zone)|\(smtp.rawValue)|\(profile)|\(ipv6Service.rawValue)|\(tlsa.rawValue)"
        let position: Int
        if let existing = sharedMail[key] {
            position = existing
        } else {
            position = mailPlatforms.count
            sharedMail[key] = position
            let label = "c\(sharedMail.count)"
            let pairs = (0..<2).map { _ in addresses.take(.mail) }
            mailPlatforms.append(TwinMailPlatform(id: "mail-\(zone.split(separator: ".")[0])-\(label)", provider: zone,
                                                  hostNames: ["mx1-\(label).\(zone)", "mx2-\(label).\(zone)"], ipv4: pairs.map(\.ipv4),
                                                  ipv6: ipv6Service == .none ? [] : pairs.map(\.ipv6), ipv6Service: ipv6Service,
                                                  smtp: smtp, tlsProfile: profile, tlsa: tlsa))
        }
        let hosts = mailPlatforms[position].hostNames
        return ([TwinMX(preference: 10, host: hosts[0]), TwinMX(preference: 20, host: hosts[1])], "include:spf.\(zone)")
    }
}
