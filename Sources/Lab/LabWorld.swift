/// A lab world: which DNS servers exist, which zones they serve with which records and which
/// DNSSEC state, and which domains are measured.
///
/// Names are written lower case without trailing dot; the root is `""`. Names inside record
/// data (MX, NS targets) are absolute and end in a dot, as in a zone file. Delegations, glue,
/// SOA, apex NS, nameserver addresses and DS records are not listed: the lab derives them
/// from the zones and server groups, so a world only says what differs between domains.
public struct LabWorld: Codable, Sendable, Hashable {
    /// The authoritative servers; each group is one knotd process.
    public var serverGroups: [LabServerGroup]
    /// Every zone from the root down.
    public var zones: [LabZone]
    /// The domains a measurement of this world covers, with their web hosts.
    public var domains: [LabDomain]

    public init(serverGroups: [LabServerGroup], zones: [LabZone], domains: [LabDomain]) {
        self.serverGroups = serverGroups
        self.zones = zones
        self.domains = domains
    }
}

/// A set of nameservers that serve the same zones: one knotd process listening on all their
/// addresses. Zones whose NS sets differ need different groups.
public struct LabServerGroup: Codable, Sendable, Hashable {
    /// Short identifier, `[a-z0-9-]`; names the knotd's directory.
    public var id: String
    /// The NS names of every zone this group serves, in the order they are listed.
    public var nameservers: [LabNameserver]

    public init(id: String, nameservers: [LabNameserver]) {
        self.id = id
        self.nameservers = nameservers
    }
}

/// A nameserver host name with the addresses it listens on and that the DNS publishes for it.
public struct LabNameserver: Codable, Sendable, Hashable {
    public var host: String
    /// IPv4 address, or nil when the nameserver has no A record.
    public var ipv4: String?
    /// IPv6 address (RFC 5952), or nil when the nameserver has no AAAA record.
    public var ipv6: String?
    /// True when the AAAA is published but nothing answers on it (the server does not listen
    /// there and the address is on no interface); nil or false: it answers.
    public var ipv6Silent: Bool?

    public init(host: String, ipv4: String?, ipv6: String?, ipv6Silent: Bool? = nil) {
        self.host = host
        self.ipv4 = ipv4
        self.ipv6 = ipv6
        self.ipv6Silent = ipv6Silent
    }

    /// The addresses a server listens on: both, less a silent IPv6 one.
    public var answeringAddresses: [String] {
        [ipv4, ipv6Silent == true ? nil : ipv6].compactMap { $0 }
    }
}

/// How a zone is signed and delegated.
public enum LabDNSSECMode: String, Codable, Sendable, Hashable, CaseIterable {
    /// Signed, with a matching DS in the parent: secure when the parent is.
    case signed
    /// Not signed, no DS in the parent: insecure.
    case unsigned
    /// Signed, but the parent publishes no DS (an unsigned delegation under a signed parent):
    /// insecure.
    case signedWithoutDS
    /// Signed with signatures that expired before the lab was made, correct DS: bogus.
    case bogusExpiredSignatures
    /// Correctly signed, but the parent's DS digest matches no key of the zone: bogus.
    case bogusDSMismatch

    /// Whether the zone file is signed (carries DNSKEY, RRSIG, NSEC).
    public var isSigned: Bool { self != .unsigned }

    /// Whether the parent publishes a DS record for this zone.
    public var hasDS: Bool { self == .signed || self == .bogusExpiredSignatures || self == .bogusDSMismatch }
}

/// A zone with its own data.
public struct LabZone: Codable, Sendable, Hashable {
    /// Apex, lower case, no trailing dot; `""` for the root.
    public var name: String
    public var dnssec: LabDNSSECMode
    /// The ``LabServerGroup/id`` of the servers that serve it (its NS set).
    public var servers: String
    /// The zone's own records (not SOA, apex NS, delegations, glue or nameserver addresses).
    public var records: [LabRecord]
    /// Zones with the same value are signed with one key, as a provider that uses one key for
    /// all its customers does; nil: a key of the zone's own.
    public var signingKey: String?

    public init(name: String, dnssec: LabDNSSECMode, servers: String, records: [LabRecord] = [], signingKey: String? = nil) {
        self.name = name
        self.dnssec = dnssec
        self.servers = servers
        self.records = records
        self.signingKey = signingKey
    }
}

/// One resource record in zone-file presentation.
public struct LabRecord: Codable, Sendable, Hashable {
    /// Owner name, lower case, no trailing dot.
    public var owner: String
    /// Type mnemonic: "A", "AAAA", "MX", "TXT", "CAA", "TLSA", …
    public var type: String
    /// Record data as written in a zone file (names absolute with a trailing dot; TXT as
    /// one or more quoted character-strings).
    public var data: String

    public init(owner: String, type: String, data: String) {
        self.owner = owner
        self.type = type
        self.data = data
    }

    /// An A record.
    public static func a(_ owner: String, _ address: String) -> LabRecord {
        LabRecord(owner: owner, type: "A", data: address)
    }

    /// An AAAA record.
    public static func aaaa(_ owner: String, _ address: String) -> LabRecord {
        LabRecord(owner: owner, type: "AAAA", data: address)
    }

    /// An MX record; `host` without trailing dot, `""` for the null MX target.
    public static func mx(_ owner: String, _ preference: Int, _ host: String) -> LabRecord {
        LabRecord(owner: owner, type: "MX", data: "\(preference) \(host).")
    }

    /// A TXT record made of these character-strings (plain printable ASCII, no `"` or `\`).
    public static func txt(_ owner: String, _ strings: [String]) -> LabRecord {
        LabRecord(owner: owner, type: "TXT", data: strings.map { "\"\($0)\"" }.joined(separator: " "))
    }

    /// A CAA record `flags tag "value"`.
    public static func caa(_ owner: String, flags: Int = 0, _ tag: String, _ value: String) -> LabRecord {
        LabRecord(owner: owner, type: "CAA", data: "\(flags) \(tag) \"\(value)\"")
    }

    /// A TLSA record `usage selector matching-type hex`.
    public static func tlsa(_ owner: String, usage: Int = 3, selector: Int = 1, matchingType: Int = 1, _ hex: String) -> LabRecord {
        LabRecord(owner: owner, type: "TLSA", data: "\(usage) \(selector) \(matchingType) \(hex)")
    }
}

/// A measured domain and the web host the checks use for it.
public struct LabDomain: Codable, Sendable, Hashable {
    public var name: String
    /// `www.<name>` usually; sometimes the domain itself or another portal name.
    public var webHost: String

    public init(name: String, webHost: String? = nil) {
        self.name = name
        self.webHost = webHost ?? "www." + name
    }
}
