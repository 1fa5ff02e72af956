import PeilModel

/// One measured domain of the twin: where its zone is, its web host and its mail, as causes.
public struct TwinDomain: Codable, Sendable, Hashable {
    public var name: String
    /// `rijk`, `uitvoerders`, `provincies`, `waterschappen`, `gemeenten`, `gemeenschappelijke-regelingen`, `overige`.
    public var layer: String
    public var organisation: String?
    /// The seed sets the domain is in: `primary`, `broad`.
    public var sets: [String]
    /// The ``TwinDNSProvider/id`` serving the domain's zone.
    public var dnsProvider: String
    public var dnssec: LabDNSSECMode
    public var web: TwinWeb
    public var mail: TwinMail
    /// Statuses the March 2021 report gave that differ from what the rule set derives from this
    /// configuration, by column, with the reason (see docs/TWIN.md). Empty for nearly all.
    public var reported: [String: Status]

    public init(name: String, layer: String, organisation: String?, sets: [String], dnsProvider: String, dnssec: LabDNSSECMode,
                web: TwinWeb, mail: TwinMail, reported: [String: Status] = [:]) {
        self.name = name
        self.layer = layer
        self.organisation = organisation
        self.sets = sets
        self.dnsProvider = dnsProvider
        self.dnssec = dnssec
        self.web = web
        self.mail = mail
        self.reported = reported
    }
}

/// The first hop of `http://<host>/`.
public enum TwinRedirect: String, Codable, Sendable, Hashable {
    /// 301 to `https://<same host>/`.
    case sameHostHTTPS
    /// 200 over plain HTTP: no redirect.
    case none
    /// 301 straight to `https://<another host>/` (the first hop leaves the host).
    case otherHostHTTPS
    /// 302 to `http://<another host>/`.
    case otherHostHTTP
}

/// A delegated zone for the web host (a hosting party that runs `www.<domain>` itself).
public struct TwinDelegation: Codable, Sendable, Hashable {
    public var dnsProvider: String
    public var dnssec: LabDNSSECMode

    public init(dnsProvider: String, dnssec: LabDNSSECMode) {
        self.dnsProvider = dnsProvider
        self.dnssec = dnssec
    }
}

/// The web host of a domain and how it behaves.
public struct TwinWeb: Codable, Sendable, Hashable {
    public var host: String
    /// Set when the web host is a zone of its own.
    public var zone: TwinDelegation?
    /// The ``TwinWebPlatform/id`` it is served from.
    public var platform: String
    public var redirect: TwinRedirect
    /// The first `Strict-Transport-Security` value sent over HTTPS, or nil for none.
    public var hsts: String?
    /// Whether the IPv6 site differs from the IPv4 one (a warning, not a failure).
    public var differentContentOverIPv6: Bool
    /// Whether its page has script and style nonces, new on every response: over IPv4 and
    /// IPv6 it then differs in the nonces only (the same website).
    public var scriptNonce: Bool
    /// The CAA record set at the web host.
    public var caa: TwinCAA
    /// `_443._tcp.<host>` TLSA (only in secure zones).
    public var tlsa: TwinTLSA
    /// The security headers of its HTTPS responses.
    public var headers: TwinSecurityHeaders
    /// Its security.txt over HTTPS.
    public var securityTxt: TwinSecurityTxt

    public init(host: String, zone: TwinDelegation?, platform: String, redirect: TwinRedirect, hsts: String?,
                differentContentOverIPv6: Bool = false, caa: TwinCAA = .none, tlsa: TwinTLSA = .none,
                headers: TwinSecurityHeaders = .complete, securityTxt: TwinSecurityTxt = .missing, scriptNonce: Bool = false) {
        self.host = host
        self.zone = zone
        self.platform = platform
        self.redirect = redirect
        self.hsts = hsts
        self.differentContentOverIPv6 = differentContentOverIPv6
        self.scriptNonce = scriptNonce
        self.caa = caa
        self.tlsa = tlsa
        self.headers = headers
        self.securityTxt = securityTxt
    }
}

extension TwinWeb {
    /// Decodes a world file, including one from before the security variants: no `headers` is
    /// `complete`, no `securityTxt` is `missing`, no `scriptNonce` is false, and `caa` as the record list of old
    /// (`[]`, or the one `issue` record the generator wrote) is `none` or `issue`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        host = try container.decode(String.self, forKey: .host)
        zone = try container.decodeIfPresent(TwinDelegation.self, forKey: .zone)
        platform = try container.decode(String.self, forKey: .platform)
        redirect = try container.decode(TwinRedirect.self, forKey: .redirect)
        hsts = try container.decodeIfPresent(String.self, forKey: .hsts)
        differentContentOverIPv6 = try container.decode(Bool.self, forKey: .differentContentOverIPv6)
        scriptNonce = try container.decodeIfPresent(Bool.self, forKey: .scriptNonce) ?? false
        tlsa = try container.decode(TwinTLSA.self, forKey: .tlsa)
        headers = try container.decodeIfPresent(TwinSecurityHeaders.self, forKey: .headers) ?? .complete
        securityTxt = try container.decodeIfPresent(TwinSecurityTxt.self, forKey: .securityTxt) ?? .missing
        if let records = try? container.decode([String].self, forKey: .caa) {
            let host = self.host
            guard let set = [TwinCAA.none, .issue].first(where: { $0.records(host: host) == records }) else {
                throw DecodingError.dataCorruptedError(forKey: .caa, in: container, debugDescription: "CAA records \(records) are no TwinCAA set")
            }
            caa = set
        } else {
            caa = try container.decode(TwinCAA.self, forKey: .caa)
        }
    }
}

/// How `_domainkey.<domain>` is published.
public enum TwinDomainKey: String, Codable, Sendable, Hashable {
    /// No name below `_domainkey`: NXDOMAIN.
    case absent
    /// `selector1._domainkey` with a key: `_domainkey` exists (NOERROR).
    case selector
    /// A wildcard `*._domainkey`: exists, but only through the wildcard (flagged).
    case wildcard
}

/// One MX record: a preference and a host (`""` for the null MX `0 .`).
public struct TwinMX: Codable, Sendable, Hashable {
    public var preference: Int
    public var host: String

    public init(preference: Int, host: String) {
        self.preference = preference
        self.host = host
    }
}

/// A domain's mail configuration.
public struct TwinMail: Codable, Sendable, Hashable {
    public var mx: [TwinMX]
    /// Whether the domain's apex has A/AAAA (those of its web platform).
    public var apexAddress: Bool
    /// TXT records at the domain (SPF and others), each one record's text.
    public var txt: [String]
    /// TXT records at `_dmarc.<domain>`.
    public var dmarc: [String]
    public var domainKey: TwinDomainKey
    /// The TLS-RPT policy at `_smtp._tls.<domain>`; absent (world files from before): none.
    public var tlsrpt: TwinTLSRPT?

    public init(mx: [TwinMX], apexAddress: Bool, txt: [String], dmarc: [String], domainKey: TwinDomainKey, tlsrpt: TwinTLSRPT? = nil) {
        self.mx = mx
        self.apexAddress = apexAddress
        self.txt = txt
        self.dmarc = dmarc
        self.domainKey = domainKey
        self.tlsrpt = tlsrpt
    }
}

/// A TLS configuration an endpoint serves, concrete enough to configure OpenSSL or nginx.
public struct TwinTLSProfile: Codable, Sendable, Hashable {
    public var id: String
    /// `TLSv1`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3`.
    public var versions: [String]
    /// OpenSSL cipher names (TLS 1.2 and below) and TLS 1.3 suite names.
    public var ciphers: [String]
    /// ECDHE groups (`X25519`, `P-256`) or `ffdhe2048`-style DHE groups.
    public var groups: [String]
    /// `valid` (from the lab CA, right name), `expired`, `self-signed`, `wrong-name`.
    public var certificate: String
    /// `rsa-3072`, `rsa-2048`, `rsa-1024`, `ec-p256`.
    public var key: String
    public var ocspStapling: Bool
    public var secureRenegotiation: Bool
    public var clientRenegotiation: Bool

    public init(id: String, versions: [String], ciphers: [String], groups: [String], certificate: String, key: String,
                ocspStapling: Bool, secureRenegotiation: Bool, clientRenegotiation: Bool) {
        self.id = id
        self.versions = versions
        self.ciphers = ciphers
        self.groups = groups
        self.certificate = certificate
        self.key = key
        self.ocspStapling = ocspStapling
        self.secureRenegotiation = secureRenegotiation
        self.clientRenegotiation = clientRenegotiation
    }
}
