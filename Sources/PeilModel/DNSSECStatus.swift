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
