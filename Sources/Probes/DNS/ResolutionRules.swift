import PeilModel

/// The decisions of the resolution procedure, shared by the procedure that asks
/// (``DomainResolution``) and the assembly that reads the answers (``DNSFactsAssembler``),
/// so both always agree. Pure.
public enum ResolutionRules {
    /// Internet.nl tests at most 10 mail exchangers (CHECKS.md, MX discovery).
    public static let maxMailExchangers = 10

    /// What one answer means while climbing towards the root.
    public enum ClimbStep: Sendable, Hashable {
        /// The records are here: stop and use them.
        case found
        /// Nothing here: ask the parent.
        case next
        /// The answer is unusable: stop with nothing found.
        case stop
    }

    /// NS climbing as Internet.nl does it: any NS records end the climb; anything else
    /// (no data, NXDOMAIN, failure) goes on to the parent.
    public static func nameserverStep(_ record: DNSQueryRecord) -> ClimbStep {
        record.records.isEmpty ? .next : .found
    }

    /// CAA climbing (RFC 8659 §3): a CAA set ends the climb; an answer without one goes to the
    /// parent; a failed lookup (status `error`) ends it with nothing found.
    public static func caaStep(_ record: DNSQueryRecord) -> ClimbStep {
        if !record.records.isEmpty { return .found }
        return record.dnssec == .error ? .stop : .next
    }

    /// One MX record as (preference, host); the root exchange is host "".
    public struct MailExchangerName: Sendable, Hashable {
        public var preference: Int
        public var host: String
    }

    /// The MX set read from presentation records (`10 mx.example.nl`, `0 .`): sorted by
    /// (preference, host), at most `limit`; `nullMX` when the set is exactly `0 .` (RFC 7505).
    public static func mailExchangers(_ records: [String], limit: Int = maxMailExchangers) -> (exchangers: [MailExchangerName], nullMX: Bool) {
        let parsed = records.compactMap { record -> MailExchangerName? in
            let fields = record.split(separator: " ", maxSplits: 1)
            guard fields.count == 2, let preference = Int(fields[0]) else { return nil }
            let host = fields[1] == "." ? "" : DNSNames.normalise(String(fields[1]))
            return MailExchangerName(preference: preference, host: host)
        }
        let unique = Set(parsed).sorted { ($0.preference, $0.host) < ($1.preference, $1.host) }
        let nullMX = unique == [MailExchangerName(preference: 0, host: "")]
        return (Array(unique.prefix(max(0, limit))), nullMX)
    }

    /// `_domainkey.<domain>` presence from the response code (Internet.nl's DKIM test).
    public static func domainKey(_ record: DNSQueryRecord?) -> DomainKeyPresence {
        switch record?.rcode {
        case "NOERROR": .exists
        case "NXDOMAIN": .nxdomain
        default: .error
        }
    }

    /// TXT records that are SPF policies: start with `v=spf1`, case-insensitively.
    public static func spf(_ txt: [String]) -> [String] {
        txt.filter { $0.lowercased().hasPrefix("v=spf1") }
    }

    /// The TLSA owner for a TCP service: `_<port>._tcp.<host>`.
    public static func tlsaName(port: Int, host: String) -> String {
        "_\(port)._tcp.\(DNSNames.normalise(host))"
    }

    /// The DMARC owner: `_dmarc.<domain>`.
    public static func dmarcName(_ domain: String) -> String { "_dmarc.\(DNSNames.normalise(domain))" }

    /// The TLS-RPT policy (RFC 8460): `_smtp._tls.<domain>`.
    public static func tlsrptName(_ domain: String) -> String { "_smtp._tls.\(DNSNames.normalise(domain))" }

    /// The DKIM key tree: `_domainkey.<domain>`.
    public static func domainKeyName(_ domain: String) -> String { "_domainkey.\(DNSNames.normalise(domain))" }
}
