import PeilModel
/// The record types the mail checks ask for.
public enum MailRecordType: String, Sendable, Hashable, CaseIterable, Codable {
    case txt = "TXT"
    case a = "A"
    case aaaa = "AAAA"
    case mx = "MX"
    case ptr = "PTR"
}

/// One DNS answer as the mail checks read it. Record data is in presentation form: TXT the
/// concatenation of its character-strings, A/AAAA an address, MX `preference host`, PTR a name.
public enum MailDNSAnswer: Sendable, Hashable, Codable {
    /// NOERROR; an empty list is NODATA.
    case records([String])
    /// The name does not exist (RCODE 3).
    case nxdomain
    /// No usable answer: SERVFAIL, REFUSED, a timeout. The text says which.
    case failure(String)

    /// The answer a resolved question gives the mail checks: NOERROR → its records,
    /// NXDOMAIN → `.nxdomain`, anything else (SERVFAIL, TIMEOUT, …) → `.failure` with the code.
    public init(_ record: DNSQueryRecord) {
        switch record.rcode {
        case "NOERROR": self = .records(record.records)
        case "NXDOMAIN": self = .nxdomain
        default: self = .failure(record.rcode + (record.reason.map { " (\($0))" } ?? ""))
        }
    }

    /// The records, or none for NXDOMAIN and failures.
    public var records: [String] {
        if case .records(let list) = self { return list }
        return []
    }

    /// RFC 7208 §4.6.4: an answer that is NXDOMAIN or NOERROR without records is "void".
    public var isVoid: Bool {
        switch self {
        case .records(let list): list.isEmpty
        case .nxdomain: true
        case .failure: false
        }
    }
}

/// The DNS the mail checks need, injected: the agent plugs in its validating resolver, the
/// tests an in-memory zone. Never throws: failures are part of the answer.
public protocol MailResolver: Sendable {
    /// Asks `name` (no trailing dot needed) for `type`.
    func lookup(_ name: String, _ type: MailRecordType) async -> MailDNSAnswer
}
