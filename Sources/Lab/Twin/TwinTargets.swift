import PeilModel
/// The statuses a domain of the twin must get: its March 2021 rows for a primary domain, a
/// sampled pair of rows for a broad-only one.
struct TwinTarget {
    var name: String
    var webHost: String
    var layer: String
    var organisation: String?
    var sets: [String]
    var web: [String: Status]
    var mail: [String: Status]
}

/// How often the broad-only domains adopt each standard (docs/TWIN.md explains the choice:
/// the report found the wider portfolio behind the primary set on every standard; campaign
/// and parked domains, many joint arrangements and small bodies, lag most).
public enum TwinBroadRates {
    public static let dnssec = 0.70
    /// HTTPS served, refused (an HTTP-only site: failed), or silent (error).
    public static let https: [(Status, Double)] = [(.passed, 0.88), (.failed, 0.07), (.error, 0.05)]
    public static let tls: [(Status, Double)] = [(.passed, 0.22), (.info, 0.26), (.warning, 0.20), (.failed, 0.32)]
    public static let httpsRedirect = 0.85
    public static let hsts = 0.50
    public static let ipv6Nameservers = 0.85
    public static let ipv6WebServer = 0.55
    /// MX kinds: normal MX, null MX (sends and receives nothing), no MX but an address, null MX next to others.
    public static let mxKinds: [(String, Double)] = [("normal", 0.74), ("null", 0.18), ("address", 0.06), ("mixed", 0.02)]
    /// Of the null-MX domains, those that also say they send nothing (DMARC reject, SPF -all).
    public static let nonSending = 0.75
    /// Of the domains with MX: on the cloud mail provider.
    public static let cloudMail = 0.35
    public static let starttls: [(Status, Double)] = [(.passed, 0.92), (.failed, 0.03), (.unreachable, 0.05)]
    public static let starttlsTLS: [(Status, Double)] = [(.passed, 0.08), (.info, 0.04), (.warning, 0.28), (.failed, 0.60)]
    public static let dnssecMX = 0.40
    /// Of the MX in secure zones: with valid DANE.
    public static let dane = 0.55
    public static let ipv6MailServer = 0.30
    public static let dmarc = 0.78
    public static let dmarcPolicy: [(Status, Double)] = [(.passed, 0.55), (.warning, 0.07), (.failed, 0.38)]
    public static let spf = 0.88
    public static let spfPolicy = 0.85
    public static let dkim = 0.78
}

enum TwinTargets {
    /// Targets for every distinct domain of the primary and broad sets.
    static func all(data: TwinSeedData, random: inout TwinRandom) -> [TwinTarget] {
        var targets: [String: TwinTarget] = [:]
        let broad = Dictionary(data.broad.map { ($0.domain.value, $0) }, uniquingKeysWith: { first, _ in first })
        for name in Set(data.web.keys).union(data.mail.keys).sorted() {
            let webRow = data.web[name], mailRow = data.mail[name]
            var web = webRow?.statuses ?? Dictionary(uniqueKeysWithValues: BulkColumns.web.map { ($0.name, .passed) })
            if webRow == nil { web["ipv6_nameserver"] = mailRow?.statuses["ipv6_nameserver"] ?? .passed }
            let mail = mailRow?.statuses ?? sampledMail(web: web, random: &random)
            targets[name] = TwinTarget(name: name, webHost: webRow?.host ?? "www." + name, layer: mailRow?.layer ?? webRow?.layer ?? "overige",
                                       organisation: broad[name]?.organisation, sets: ["broad", "primary"],
                                       web: web, mail: mail)
        }
        for entry in data.broad where targets[entry.domain.value] == nil {
            let web = sampledWeb(random: &random)
            targets[entry.domain.value] = TwinTarget(
                name: entry.domain.value, webHost: entry.effectiveWebHost, layer: entry.layer?.rawValue ?? "overige",
                organisation: entry.organisation, sets: ["broad"], web: web, mail: sampledMail(web: web, random: &random))
        }
        return targets.keys.sorted().map { targets[$0]! }
    }

    static func yes(_ p: Double, _ random: inout TwinRandom) -> Status { random.chance(p) ? .passed : .failed }

    static func sampledWeb(random: inout TwinRandom) -> [String: Status] {
        typealias R = TwinBroadRates
        var row: [String: Status] = ["dnssec": yes(R.dnssec, &random), "ipv6_nameserver": yes(R.ipv6Nameservers, &random),
                                     "ipv6_webserver": yes(R.ipv6WebServer, &random)]
        switch random.weighted(R.https) {
        case .passed:
            row["tls_available"] = .passed
            row["tls_ncsc"] = random.weighted(R.tls)
            row["https_redirect"] = yes(R.httpsRedirect, &random)
            row["hsts"] = yes(R.hsts, &random)
        case .failed:
            row.merge(["tls_available": .failed, "tls_ncsc": .notTested, "https_redirect": .failed, "hsts": .notTested]) { $1 }
        default:
            for column in ["tls_available", "tls_ncsc", "https_redirect", "hsts"] { row[column] = .error }
        }
        row["ipv6_web"] = Status.category(ofMandatory: [row["ipv6_nameserver"] ?? .failed, row["ipv6_webserver"] ?? .failed])
        return row
    }

    static func sampledMail(web: [String: Status], random: inout TwinRandom) -> [String: Status] {
        typealias R = TwinBroadRates
        var row: [String: Status] = ["ipv6_nameserver": web["ipv6_nameserver"] ?? .passed]
        let kind = random.weighted(R.mxKinds)
        let servers = ["starttls", "starttls_ncsc", "dnssec_mx", "dane", "ipv6_mailserver"]
        switch kind {
        case "null": for column in servers { row[column] = .notTested }
        case "address": for column in servers { row[column] = .info }
        case "mixed":
            for column in servers { row[column] = .warning }
            row["dane"] = .info
        default:
            if random.chance(R.cloudMail) {
                row.merge(["starttls": .passed, "starttls_ncsc": .warning, "dnssec_mx": .failed, "dane": .failed,
                           "ipv6_mailserver": random.chance(0.2) ? .passed : .failed]) { $1 }
            } else {
                let starttls = random.weighted(R.starttls)
                row["starttls"] = starttls
                row["starttls_ncsc"] = starttls == .passed ? random.weighted(R.starttlsTLS) : starttls
                row["dnssec_mx"] = yes(R.dnssecMX, &random)
                row["dane"] = starttls == .unreachable ? .unreachable
                    : row["dnssec_mx"] == .passed && starttls == .passed ? yes(R.dane, &random) : .failed
                row["ipv6_mailserver"] = starttls == .unreachable ? .failed : yes(R.ipv6MailServer, &random)
            }
        }
        let nonSending = kind == "null" && random.chance(R.nonSending)
        if nonSending {
            row.merge(["dmarc": .passed, "dmarc_policy": .passed, "spf": .passed, "spf_policy": .passed, "dkim": .notApplicable]) { $1 }
        } else {
            row["dmarc"] = yes(R.dmarc, &random)
            row["dmarc_policy"] = row["dmarc"] == .passed ? random.weighted(R.dmarcPolicy) : .failed
            row["spf"] = yes(R.spf, &random)
            row["spf_policy"] = row["spf"] == .passed ? yes(R.spfPolicy, &random) : .failed
            row["dkim"] = yes(R.dkim, &random)
        }
        row["ipv6_mail"] = Status.category(ofMandatory: [row["ipv6_nameserver"] ?? .failed, row["ipv6_mailserver"] ?? .failed])
        return row
    }
}
