/// The twin's world file (`peil lab world` writes it, `peil lab up --world` reads it): who hosts
/// what, and how every endpoint behaves. It says *causes* (an unsigned zone, a provider whose
/// nameservers lack AAAA, a web platform offering TLS 1.0); the expected bulk statuses are
/// derived from it (``TwinTruth``), and the DNS zones compiled from it (``TwinCompiler``), so an
/// edit to the file changes zones and ground truth together.
public struct TwinWorld: Codable, Sendable, Hashable {
    /// `peil-twin/1`.
    public var format: String
    /// The seed the generator was run with (informational once the file exists).
    public var seed: UInt64
    /// The rule set the expected statuses follow: `internetnl-2021` (that of the seed data).
    public var ruleSet: String
    public var dnsProviders: [TwinDNSProvider]
    /// Zones of providers and services that are not measured (mail platforms, SPF includes,
    /// DMARC report services), with their own records.
    public var serviceZones: [TwinServiceZone]
    public var tlsProfiles: [TwinTLSProfile]
    public var webPlatforms: [TwinWebPlatform]
    public var mailPlatforms: [TwinMailPlatform]
    public var domains: [TwinDomain]

    public static let currentFormat = "peil-twin/1"

    public init(seed: UInt64, dnsProviders: [TwinDNSProvider], serviceZones: [TwinServiceZone], tlsProfiles: [TwinTLSProfile],
                webPlatforms: [TwinWebPlatform], mailPlatforms: [TwinMailPlatform], domains: [TwinDomain]) {
        format = Self.currentFormat
        self.seed = seed
        ruleSet = "internetnl-2021"
        self.dnsProviders = dnsProviders
        self.serviceZones = serviceZones
        self.tlsProfiles = tlsProfiles
        self.webPlatforms = webPlatforms
        self.mailPlatforms = mailPlatforms
        self.domains = domains
    }
}

/// Whether and how an address family is served.
public enum TwinIPv6: String, Codable, Sendable, Hashable, CaseIterable {
    /// No AAAA published.
    case none
    /// AAAA published and the service answers on it.
    case answering
    /// AAAA published, but nothing answers on it (packets are dropped).
    case silent
    /// AAAA published, but fewer ports answer over IPv6 than over IPv4 (web: 443 only).
    case fewerPorts
}

/// A DNS hosting provider: one nameserver set (one knotd), serving its own zone and its customers'.
public struct TwinDNSProvider: Codable, Sendable, Hashable {
    /// `[a-z0-9-]`, the server group id.
    public var id: String
    /// The zone that holds its nameservers' names (`polder-dns.nl`).
    public var zone: String
    public var zoneDNSSEC: LabDNSSECMode
    /// Nameserver labels in `zone` (`ns1`, `ns2`) and their IPv6 service.
    public var nameservers: [TwinNameserver]
    /// Whether the provider signs all its customers' zones with one key (as many do).
    public var sharedSigningKey: Bool

    public init(id: String, zone: String, zoneDNSSEC: LabDNSSECMode, nameservers: [TwinNameserver], sharedSigningKey: Bool) {
        self.id = id
        self.zone = zone
        self.zoneDNSSEC = zoneDNSSEC
        self.nameservers = nameservers
        self.sharedSigningKey = sharedSigningKey
    }
}

/// One nameserver of a provider.
public struct TwinNameserver: Codable, Sendable, Hashable {
    public var label: String
    public var ipv4: String
    /// The AAAA address (nil when ``ipv6Service`` is `none`).
    public var ipv6: String?
    /// `none`, `answering` or `silent` (published AAAA on which knotd does not listen).
    public var ipv6Service: TwinIPv6

    public init(label: String, ipv4: String, ipv6: String?, ipv6Service: TwinIPv6) {
        self.label = label
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.ipv6Service = ipv6Service
    }
}

/// A zone that is not a measured domain: a mail platform's, an SPF include's, a report service's.
public struct TwinServiceZone: Codable, Sendable, Hashable {
    public var name: String
    /// The ``TwinDNSProvider/id`` serving it.
    public var dnsProvider: String
    public var dnssec: LabDNSSECMode
    public var records: [LabRecord]

    public init(name: String, dnsProvider: String, dnssec: LabDNSSECMode, records: [LabRecord] = []) {
        self.name = name
        self.dnsProvider = dnsProvider
        self.dnssec = dnssec
        self.records = records
    }
}

/// What a TLSA record set says about the certificate the endpoint will present.
public enum TwinTLSA: String, Codable, Sendable, Hashable {
    case none
    /// `3 1 1` of the endpoint's key.
    case valid
    /// `3 1 1` of another key: published, but matching nothing presented.
    case mismatch
}

/// A web platform: addresses with one TLS configuration (the endpoint chooses behaviour per
/// local address). Shared hosting puts many domains on one platform.
public struct TwinWebPlatform: Codable, Sendable, Hashable {
    public var id: String
    /// The hosting company (or `self` for an organisation's own server).
    public var provider: String
    public var ipv4: [String]
    /// Addresses published as AAAA (empty when ``ipv6Service`` is `none`).
    public var ipv6: [String]
    public var ipv6Service: TwinIPv6
    /// How port 443 behaves.
    public var https: TwinHTTPS
    /// The ``TwinTLSProfile/id`` served on 443.
    public var tlsProfile: String
    /// `nginx` when Debian's nginx serves it; absent: the lab's endpoint server.
    public var server: TwinServerSoftware?

    public init(id: String, provider: String, ipv4: [String], ipv6: [String], ipv6Service: TwinIPv6, https: TwinHTTPS, tlsProfile: String,
                server: TwinServerSoftware? = nil) {
        self.id = id
        self.provider = provider
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.ipv6Service = ipv6Service
        self.https = https
        self.tlsProfile = tlsProfile
        self.server = server
    }
}

/// How a web platform's port 443 behaves (port 80 always serves HTTP).
public enum TwinHTTPS: String, Codable, Sendable, Hashable {
    /// TLS with the platform's profile.
    case tls
    /// Connections are refused: an HTTP-only site (HTTPS not available: failed).
    case refused
    /// Nothing answers on 443 (the test cannot connect: error).
    case silent
}

/// How a mail server's port 25 behaves.
public enum TwinSMTP: String, Codable, Sendable, Hashable {
    /// EHLO offers STARTTLS.
    case starttls
    /// SMTP answers, but without STARTTLS.
    case noStarttls
    /// Nothing answers on port 25.
    case silent
}

/// A mail platform: MX host names that all resolve to the same addresses, one SMTP and TLS
/// behaviour, one TLSA policy. The cloud provider gives each tenant its own MX name.
public struct TwinMailPlatform: Codable, Sendable, Hashable {
    public var id: String
    /// The mail provider (or `self` for an organisation's own server).
    public var provider: String
    /// Every MX host name on this platform (each lies in a service zone or a domain's zone).
    public var hostNames: [String]
    public var ipv4: [String]
    public var ipv6: [String]
    public var ipv6Service: TwinIPv6
    public var smtp: TwinSMTP
    public var tlsProfile: String
    public var tlsa: TwinTLSA
    /// `postfix` when Debian's Postfix serves it; absent: the lab's endpoint server.
    public var server: TwinServerSoftware?
    /// The CAA set at each of its host names; absent (world files from before): none.
    public var caa: TwinCAA?

    public init(id: String, provider: String, hostNames: [String], ipv4: [String], ipv6: [String], ipv6Service: TwinIPv6,
                smtp: TwinSMTP, tlsProfile: String, tlsa: TwinTLSA, server: TwinServerSoftware? = nil, caa: TwinCAA? = nil) {
        self.id = id
        self.provider = provider
        self.hostNames = hostNames
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.ipv6Service = ipv6Service
        self.smtp = smtp
        self.tlsProfile = tlsProfile
        self.tlsa = tlsa
        self.server = server
        self.caa = caa
    }
}
