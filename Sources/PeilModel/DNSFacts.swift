/// One DNS question as the agent asked it and what the validating resolver answered.
/// These are the raw observations; ``DNSFacts`` are derived from them.
public struct DNSQueryRecord: Codable, Sendable, Hashable {
    /// Query name, lower case, without trailing dot.
    public var name: String
    /// Query type mnemonic: "A", "AAAA", "NS", "MX", "TXT", "CAA", "TLSA", "SOA".
    public var type: String
    /// Response code mnemonic ("NOERROR", "NXDOMAIN", "SERVFAIL", …), or "TIMEOUT" / "ERROR"
    /// when no response was had.
    public var rcode: String
    public var dnssec: DNSSECStatus
    /// Why the answer is bogus or in error, as the resolver says it; or which cap cut it
    /// (`AnswerCaps` in Probes: "3000 addresses, first 16 kept").
    public var reason: String?
    /// Answer rdata of the queried type in presentation format, sorted (see ``DNSFacts``).
    public var records: [String]

    public init(name: String, type: String, rcode: String, dnssec: DNSSECStatus, reason: String? = nil, records: [String]) {
        self.name = name
        self.type = type
        self.rcode = rcode
        self.dnssec = dnssec
        self.reason = reason
        self.records = records
    }
}

extension DNSQueryRecord {
    /// Whether the question got no usable answer: `TIMEOUT`, `ERROR` or `SERVFAIL` without a
    /// bogus verdict (bogus is an answer: the validator judged what came). An empty answer to
    /// such a question is unknown, not absent.
    public var isFailedLookup: Bool {
        ["TIMEOUT", "ERROR", "SERVFAIL"].contains(rcode) && dnssec != .bogus
    }
}

/// A host name with its addresses, each list sorted; IPv6 in RFC 5952 form.
public struct HostAddresses: Codable, Sendable, Hashable {
    public var host: String
    public var ipv4: [String]
    public var ipv6: [String]

    public init(host: String, ipv4: [String] = [], ipv6: [String] = []) {
        self.host = host
        self.ipv4 = ipv4.sorted()
        self.ipv6 = ipv6.sorted()
    }
}

/// The CAA set a climb from a name found (RFC 8659 §3: the name, then each parent).
public struct CAASet: Codable, Sendable, Hashable {
    /// Where the climb found CAA records; nil when it found none (or a lookup failed).
    public var foundAt: String?
    /// The records found there (`flags tag "value"`), sorted.
    public var records: [String]

    public init(foundAt: String?, records: [String]) {
        self.foundAt = foundAt
        self.records = records.sorted()
    }
}

/// One mail exchanger of a domain with what the checks need to know of its host name.
public struct MailExchanger: Codable, Sendable, Hashable {
    public var preference: Int
    /// Lower case, no trailing dot; "" for a null MX (`0 .`).
    public var host: String
    /// DNSSEC status of the MX host name (its A query through the validating resolver).
    public var dnssec: DNSSECStatus
    public var ipv4: [String]
    public var ipv6: [String]
    /// TLSA rdata at `_25._tcp.<host>` ("3 1 1 <lowercase hex>"), sorted.
    public var tlsa: [String]
    /// The CAA set climbing from the host found (Internet.nl's `mail_caa`); nil in
    /// observations stored before the resolution climbed CAA per MX host, and for a null MX.
    public var caa: CAASet?

    public init(preference: Int, host: String, dnssec: DNSSECStatus, ipv4: [String] = [], ipv6: [String] = [], tlsa: [String] = [],
                caa: CAASet? = nil) {
        self.preference = preference
        self.host = host
        self.dnssec = dnssec
        self.ipv4 = ipv4.sorted()
        self.ipv6 = ipv6.sorted()
        self.tlsa = tlsa.sorted()
        self.caa = caa
    }
}

/// Whether `_domainkey.<domain>` exists (Internet.nl's DKIM test reads the response code).
public enum DomainKeyPresence: String, Codable, Sendable, Hashable {
    /// NOERROR (with or without data).
    case exists
    /// NXDOMAIN.
    case nxdomain
    /// No usable answer (SERVFAIL, timeout).
    case error
}

/// The DNS facts Peil derives for one domain and its web host from the raw queries.
///
/// Presentation rules, so that a lab's ground truth compares equal: names are lower case
/// without trailing dot; lists are sorted; TXT records are the concatenation of their
/// character-strings, unquoted; CAA is `flags tag "value"`; TLSA is
/// `usage selector type hex` with lower-case hex.
public struct DNSFacts: Codable, Sendable, Hashable {
    public var domain: String
    /// DNSSEC status of the domain (its SOA query).
    public var dnssec: DNSSECStatus
    public var dnssecReason: String?
    /// The zone whose NS set was found by climbing labels from the domain; nil if none.
    public var nsZone: String?
    /// Nameservers with their addresses, sorted by host.
    public var nameservers: [HostAddresses]
    /// The domain's own A/AAAA (the mail test's "no MX but A/AAAA" rule needs them).
    public var domainAddresses: HostAddresses
    /// The web host (`www.<domain>` unless the set names another) and its addresses.
    public var web: HostAddresses
    public var webDNSSEC: DNSSECStatus
    /// Mail exchangers sorted by (preference, host). A null MX is one entry with host "".
    public var mx: [MailExchanger]
    /// True when the MX set is exactly the null MX `0 .`.
    public var nullMX: Bool
    /// All TXT records at the domain, and those that start with `v=spf1` (case-insensitive).
    public var txt: [String]
    public var spf: [String]
    /// TXT records at `_dmarc.<domain>`.
    public var dmarc: [String]
    public var domainKey: DomainKeyPresence
    /// The name where CAA records were found by RFC 8659 climbing from the web host, and them.
    public var caaFoundAt: String?
    public var caa: [String]
    /// TLSA rdata at `_443._tcp.<web host>`.
    public var webTLSA: [String]
    /// The zone whose NS set was found by climbing from the web host, and its nameservers,
    /// when that is another zone than ``nsZone`` (a delegated web host); nil otherwise. The web
    /// test's IPv6 nameserver check uses them, the mail test the domain's.
    public var webNSZone: String?
    public var webNameservers: [HostAddresses]?
    /// The nameservers of the MX hosts' zones (the NS set found by climbing from each MX host,
    /// as Internet.nl's `do_mx_ns_rpki`), every host once, sorted; empty without MX hosts. Nil
    /// in observations stored before the resolution looked them up.
    public var mxNameservers: [HostAddresses]?
    /// TXT records at `_smtp._tls.<domain>` (TLS-RPT, RFC 8460); nil in observations stored
    /// before the resolution asked it.
    public var tlsrpt: [String]?

    public init(
        domain: String, dnssec: DNSSECStatus, dnssecReason: String? = nil, nsZone: String?,
        nameservers: [HostAddresses], domainAddresses: HostAddresses, web: HostAddresses,
        webDNSSEC: DNSSECStatus, mx: [MailExchanger], nullMX: Bool, txt: [String], spf: [String],
        dmarc: [String], domainKey: DomainKeyPresence, caaFoundAt: String?, caa: [String], webTLSA: [String],
        webNSZone: String? = nil, webNameservers: [HostAddresses]? = nil, mxNameservers: [HostAddresses]? = nil,
        tlsrpt: [String]? = nil
    ) {
        self.domain = domain
        self.dnssec = dnssec
        self.dnssecReason = dnssecReason
        self.nsZone = nsZone
        self.nameservers = nameservers.sorted { $0.host < $1.host }
        self.domainAddresses = domainAddresses
        self.web = web
        self.webDNSSEC = webDNSSEC
        self.mx = mx.sorted { ($0.preference, $0.host) < ($1.preference, $1.host) }
        self.nullMX = nullMX
        self.txt = txt.sorted()
        self.spf = spf.sorted()
        self.dmarc = dmarc.sorted()
        self.domainKey = domainKey
        self.caaFoundAt = caaFoundAt
        self.caa = caa.sorted()
        self.webTLSA = webTLSA.sorted()
        self.webNSZone = webNSZone
        self.webNameservers = webNameservers?.sorted { $0.host < $1.host }
        self.mxNameservers = mxNameservers?.sorted { $0.host < $1.host }
        self.tlsrpt = tlsrpt?.sorted()
    }

    /// The nameservers the web test judges: the web host's zone's, else the domain's.
    public var webTestNameservers: [HostAddresses] { webNameservers ?? nameservers }
}

/// What a resolve task reports: every query asked (raw), and the facts derived from them.
public struct ResolutionObservation: Codable, Sendable, Hashable {
    public var facts: DNSFacts
    public var queries: [DNSQueryRecord]

    public init(facts: DNSFacts, queries: [DNSQueryRecord]) {
        self.facts = facts
        self.queries = queries
    }
}
