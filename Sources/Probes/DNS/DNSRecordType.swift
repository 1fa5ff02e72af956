/// The record types Peil asks for, with their IANA codes and mnemonics.
public enum DNSRecordType: UInt16, Sendable, Hashable, CaseIterable, Codable {
    case a = 1
    case ns = 2
    case cname = 5
    case soa = 6
    case mx = 15
    case txt = 16
    case aaaa = 28
    case tlsa = 52
    case caa = 257

    /// The mnemonic as written in zone files and in ``PeilModel/DNSQueryRecord/type``.
    public var mnemonic: String {
        switch self {
        case .a: "A"
        case .ns: "NS"
        case .cname: "CNAME"
        case .soa: "SOA"
        case .mx: "MX"
        case .txt: "TXT"
        case .aaaa: "AAAA"
        case .tlsa: "TLSA"
        case .caa: "CAA"
        }
    }

    /// The type for a mnemonic, case-insensitively; nil for types Peil does not ask for.
    public init?(mnemonic: String) {
        guard let match = Self.allCases.first(where: { $0.mnemonic == mnemonic.uppercased() }) else { return nil }
        self = match
    }
}

/// DNS response codes (RFC 1035, RFC 6895) as the mnemonics ``PeilModel/DNSQueryRecord/rcode`` uses.
public enum DNSResponseCode {
    /// No response was had within the query timeout.
    public static let timeout = "TIMEOUT"
    /// The resolver failed locally (no response code exists).
    public static let error = "ERROR"

    /// The mnemonic for a numeric response code; unknown codes read `RCODE<n>`.
    public static func mnemonic(_ code: Int) -> String {
        switch code {
        case 0: "NOERROR"
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        case 6: "YXDOMAIN"
        case 7: "YXRRSET"
        case 8: "NXRRSET"
        case 9: "NOTAUTH"
        case 10: "NOTZONE"
        default: "RCODE\(code)"
        }
    }
}
