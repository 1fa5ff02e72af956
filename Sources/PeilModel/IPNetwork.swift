#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 network in CIDR form, as raw address bits. Pure value.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// 4 octets for IPv4, 16 for IPv6; bits past `prefixLength` are zero.
    public let octets: [UInt8]
    public let prefixLength: Int

    public var isIPv6: Bool { octets.count == 16 }

    /// A network from its octets and prefix length; host bits are cleared.
    public init?(octets: [UInt8], prefixLength: Int) {
        guard octets.count == 4 || octets.count == 16, (0...octets.count * 8).contains(prefixLength) else { return nil }
        self.octets = octets.enumerated().map { index, byte in
            let keep = max(0, min(8, prefixLength - index * 8))
            return keep == 0 ? 0 : byte & UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
        }
        self.prefixLength = prefixLength
    }

    /// Parses `198.18.0.0/15`, `2001:2::/48`, or a bare address (a host network).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let octets = IPNetwork.parseAddress(String(parts[0])) else { return nil }
        var length = octets.count * 8
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), String(parsed) == parts[1] else { return nil }
            length = parsed
        }
        self.init(octets: octets, prefixLength: length)
    }

    /// An address in text form from its 4 or 16 octets: dotted decimal, or IPv6 in RFC 5952 form
    /// (the C library's `inet_ntop`: lower case, longest zero run compressed, IPv4-mapped as
    /// `::ffff:a.b.c.d`); nil for another length.
    public static func presentation(_ octets: some Collection<UInt8>) -> String? {
        switch octets.count {
        case 4:
            return octets.map(String.init).joined(separator: ".")
        case 16:
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { raw in
                for (index, byte) in octets.enumerated() { raw[index] = byte }
            }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        default:
            return nil
        }
    }

    /// The octets of an IPv4 or IPv6 address in text form, or nil.
    public static func parseAddress(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// Whether the address (4 or 16 octets) lies in this network.
    public func contains(_ address: [UInt8]) -> Bool {
        guard address.count == octets.count else { return false }
        var remaining = prefixLength
        for index in octets.indices where remaining > 0 {
            let mask = remaining >= 8 ? UInt8(0xFF) : UInt8(truncatingIfNeeded: 0xFF << (8 - remaining))
            guard address[index] & mask == octets[index] else { return false }
            remaining -= 8
        }
        return true
    }

    /// Whether `other` lies entirely inside this network.
    public func contains(_ other: IPNetwork) -> Bool {
        other.octets.count == octets.count && other.prefixLength >= prefixLength && contains(other.octets)
    }

    /// The two halves of this network, one bit longer; nil for a host network.
    func halves() -> (IPNetwork, IPNetwork)? {
        guard prefixLength < octets.count * 8 else { return nil }
        var upper = octets
        upper[prefixLength / 8] |= UInt8(0x80) >> UInt8(prefixLength % 8)
        return (IPNetwork(octets: octets, prefixLength: prefixLength + 1)!,
                IPNetwork(octets: upper, prefixLength: prefixLength + 1)!)
    }

    public var description: String {
        "\(Self.presentation(octets)!)/\(prefixLength)"
    }

    /// The fewest networks that together cover every address of the family that is *not* in
    /// `allowed` (used to fence libunbound with `do-not-query-address`).
    public static func complement(of allowed: [IPNetwork], ipv6: Bool) -> [IPNetwork] {
        let family = allowed.filter { $0.isIPv6 == ipv6 }
        var result: [IPNetwork] = []
        var stack = [IPNetwork(octets: [UInt8](repeating: 0, count: ipv6 ? 16 : 4), prefixLength: 0)!]
        while let network = stack.popLast() {
            if family.contains(where: { $0.contains(network) }) { continue }
            if !family.contains(where: { network.contains($0) }) {
                result.append(network)
                continue
            }
            if let (low, high) = network.halves() { stack += [high, low] }
        }
        return result
    }
}

extension IPNetwork {
    /// The benchmarking ranges the lab uses (RFC 2544, RFC 5180) and loopback: the only places a
    /// resolver configured with ``UpstreamPolicy/labAndLoopback`` may send queries.
    public static let labAndLoopback: [IPNetwork] = [
        "127.0.0.0/8", "::1/128", "198.18.0.0/15", "2001:2::/48",
    ].map { IPNetwork($0)! }
}

extension IPNetwork {
    /// The fewest networks of one family that together cover exactly the addresses
    /// ``SpecialPurposeAddresses`` refuses (an embedding block such as 6to4 becomes the refused
    /// IPv4 networks placed inside it): libunbound's fence for ``UpstreamPolicy/publicOnly``.
    public static func specialPurpose(ipv6: Bool) -> [IPNetwork] {
        let blocks = ipv6 ? SpecialPurposeAddresses.ipv6 : SpecialPurposeAddresses.ipv4
        var result: [IPNetwork] = []
        var stack = [IPNetwork(octets: [UInt8](repeating: 0, count: ipv6 ? 16 : 4), prefixLength: 0)!]
        while let network = stack.popLast() {
            if blocks.contains(where: { $0.prefixLength > network.prefixLength && network.contains($0.octets) }),
               let (low, high) = network.halves() {
                stack += [high, low]
                continue
            }
            let decider = blocks.filter { $0.prefixLength <= network.prefixLength && $0.contains(network.octets) }
                .max { $0.prefixLength < $1.prefixLength }
            switch decider?.rule {
            case nil, .globallyReachable?: break
            case .refused?: result.append(network)
            case .embeddedIPv4(let offset)?:
                precondition(network.prefixLength == offset * 8, "an embedding block is split only at its own prefix")
                for inner in specialPurpose(ipv6: false) {
                    var octets = network.octets
                    octets.replaceSubrange(offset..<offset + 4, with: inner.octets)
                    result.append(IPNetwork(octets: octets, prefixLength: offset * 8 + inner.prefixLength)!)
                }
            }
        }
        return result
    }
}

/// Encoded as its CIDR text, `198.18.0.0/15`.
extension IPNetwork: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let network = IPNetwork(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(text) is not a network"))
        }
        self = network
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
