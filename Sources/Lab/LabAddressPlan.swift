#if canImport(Glibc)
import Glibc
#endif

/// What a target address is for; each kind has its own block, so an address says what it is.
public enum LabAddressPool: Int, Codable, Sendable, CaseIterable {
    /// Authoritative nameservers (198.18.0.0/20, 2001:2:0:53::/64).
    case nameserver = 0
    /// Web hosts (198.18.16.0/20, 2001:2:0:80::/64).
    case web = 1
    /// Mail hosts (198.18.32.0/20, 2001:2:0:25::/64).
    case mail = 2
    /// Other hosts, such as a domain's own apex address (198.18.48.0/20, 2001:2:0:a::/64).
    case host = 3

    /// The fourth hextet of this pool's IPv6 /64.
    var ipv6Hextet: UInt16 {
        switch self {
        case .nameserver: 0x53
        case .web: 0x80
        case .mail: 0x25
        case .host: 0x0a
        }
    }
}

/// The lab's addresses. Only the benchmarking ranges are used: targets in 198.18.0.0/16 and
/// 2001:2::/56, links between namespaces in 198.19.0.0/16 and 2001:2:0:100::/56. Nothing of
/// this is ever routed outside the lab's namespaces.
public enum LabAddressPlan {
    public static let targetIPv4Prefix = "198.18.0.0/16"
    public static let targetIPv6Prefix = "2001:2::/56"
    public static let linkIPv4Prefix = "198.19.0.0/16"
    public static let linkIPv6Prefix = "2001:2:0:100::/56"

    /// Addresses per pool and family.
    public static let poolSize = 4094

    /// The `index`-th IPv4 address of a pool (index from 0).
    public static func ipv4(_ pool: LabAddressPool, _ index: Int) -> String {
        precondition((0..<poolSize).contains(index), "address index \(index) outside the pool")
        let offset = pool.rawValue * 16 * 256 + index + 1
        return "198.18.\(offset / 256).\(offset % 256)"
    }

    /// The `index`-th IPv6 address of a pool, in RFC 5952 form.
    public static func ipv6(_ pool: LabAddressPool, _ index: Int) -> String {
        precondition((0..<poolSize).contains(index), "address index \(index) outside the pool")
        return rfc5952([0x2001, 0x2, 0, pool.ipv6Hextet, 0, 0, 0, UInt16(index + 1)])
    }

    /// The IPv4 block of a pool, for routes.
    static func ipv4Block(_ pool: LabAddressPool) -> String { "198.18.\(pool.rawValue * 16).0/20" }

    /// The IPv6 block of a pool, for routes.
    static func ipv6Block(_ pool: LabAddressPool) -> String { rfc5952([0x2001, 0x2, 0, pool.ipv6Hextet, 0, 0, 0, 0]) + "/64" }

    /// IPv4 address of one end of link `link` (0–255): the core end is `.1`, the far end `.2`, in a /24.
    static func linkIPv4(_ link: Int, coreSide: Bool) -> String { "198.19.\(link).\(coreSide ? 1 : 2)" }

    /// IPv6 address of one end of link `link` in its /64: the core end `::1`, the far end `::2`.
    static func linkIPv6(_ link: Int, coreSide: Bool) -> String {
        rfc5952([0x2001, 0x2, 0, UInt16(0x100 + link), 0, 0, 0, coreSide ? 1 : 2])
    }

    /// Whether `address` is an IPv4 address in 198.18.0.0/16.
    public static func isLabTargetIPv4(_ address: String) -> Bool {
        guard let octets = parseIPv4(address) else { return false }
        return octets[0] == 198 && octets[1] == 18
    }

    /// Whether `address` is an IPv6 address in 2001:2::/56.
    public static func isLabTargetIPv6(_ address: String) -> Bool {
        guard let octets = parseIPv6(address) else { return false }
        return octets[0...5] == [0x20, 0x01, 0x00, 0x02, 0x00, 0x00] && octets[6] == 0
    }

    /// RFC 5952 text of eight hextets: lower case, no leading zeros, the longest run of two or
    /// more zero hextets (the first of equals) written `::`.
    static func rfc5952(_ hextets: [UInt16]) -> String {
        precondition(hextets.count == 8)
        var bestStart = -1, bestLength = 0, runStart = -1
        for index in 0...8 {
            if index < 8 && hextets[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                if index - runStart > bestLength { bestStart = runStart; bestLength = index - runStart }
                runStart = -1
            }
        }
        let text = hextets.map { String($0, radix: 16) }
        guard bestLength >= 2 else { return text.joined(separator: ":") }
        let head = text[0..<bestStart].joined(separator: ":")
        let tail = text[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }

    static func parseIPv4(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    static func parseIPv6(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }
}

/// Hands out the next free address of each pool, so a world builder never reuses one.
public struct LabAddressAllocator: Sendable {
    private var next: [LabAddressPool: Int] = [:]

    public init() {}

    /// The next IPv4 and IPv6 address of `pool` (both share one index).
    public mutating func take(_ pool: LabAddressPool) -> (ipv4: String, ipv6: String) {
        let index = next[pool, default: 0]
        next[pool] = index + 1
        return (LabAddressPlan.ipv4(pool, index), LabAddressPlan.ipv6(pool, index))
    }
}
