/// The DNSSEC state of an answer, as a validating resolver sees it.
///
/// `secure`: the chain of trust validates (AD). `insecure`: provably unsigned (no DS on the
/// path). `bogus`: signatures or delegation are broken. `error`: the resolver could not
/// decide (server failure, timeout, lame delegation).
public enum DNSSECStatus: String, Codable, Sendable, CaseIterable, Hashable {
    case secure
    case insecure
    case bogus
    case error
}

/// An IP address family; agents declare which ones their vantage point has.
public enum AddressFamily: String, Codable, Sendable, CaseIterable, Hashable, Comparable {
    case ipv4
    case ipv6

    public static func < (lhs: AddressFamily, rhs: AddressFamily) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

extension DNSSECStatus {
    /// The status of a column that asks for one host's DNSSEC (the web test's `dnssec`):
    /// passed when secure, error when the lookup could not decide, else failed.
    public var columnStatus: Status {
        switch self {
        case .secure: .passed
        case .error: .error
        case .insecure, .bogus: .failed
        }
    }
}
