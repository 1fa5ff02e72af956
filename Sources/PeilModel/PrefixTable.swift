/// Elements keyed by IP network, found by the networks that contain an address or a network:
/// one hash lookup per prefix length in use, not a pass over every element. A relying party's
/// export holds about half a million ROAs and a routing table a million routes; a measurement
/// asks about every address of every domain.
public struct PrefixTable<Element: Sendable>: Sendable {
    private struct Key: Hashable {
        let ipv6: Bool
        let length: UInt8
        let bits: UInt128
    }

    private var elements: [Key: [Element]] = [:]
    /// The prefix lengths in use, per family, shortest first.
    private var ipv4Lengths: [Int] = []
    private var ipv6Lengths: [Int] = []

    /// A table of `pairs`; elements of one network keep their order.
    public init(_ pairs: some Sequence<(network: IPNetwork, element: Element)>) {
        var ipv4: Set<Int> = [], ipv6: Set<Int> = []
        for (network, element) in pairs {
            elements[Self.key(Self.bits(network.octets), ipv6: network.isIPv6, length: network.prefixLength), default: []].append(element)
            if network.isIPv6 { ipv6.insert(network.prefixLength) } else { ipv4.insert(network.prefixLength) }
        }
        ipv4Lengths = ipv4.sorted()
        ipv6Lengths = ipv6.sorted()
    }

    /// The elements whose network contains `network` (is it, or is shorter and holds it),
    /// shortest networks first.
    public func containing(_ network: IPNetwork) -> [Element] {
        var found: [Element] = []
        let bits = Self.bits(network.octets)
        for length in network.isIPv6 ? ipv6Lengths : ipv4Lengths {
            guard length <= network.prefixLength else { break }
            if let matching = elements[Self.key(bits, ipv6: network.isIPv6, length: length)] { found += matching }
        }
        return found
    }

    /// The elements whose network contains the address (4 or 16 octets); none for another length.
    public func containing(address octets: [UInt8]) -> [Element] {
        guard let host = IPNetwork(octets: octets, prefixLength: octets.count * 8) else { return [] }
        return containing(host)
    }

    /// The octets as one number, the first octet highest (an IPv4 address in the top 32 bits).
    private static func bits(_ octets: [UInt8]) -> UInt128 {
        var bits: UInt128 = 0
        for octet in octets { bits = bits << 8 | UInt128(octet) }
        return bits << (128 - octets.count * 8)
    }

    /// The key of the network of `bits` cut to `length` bits.
    private static func key(_ bits: UInt128, ipv6: Bool, length: Int) -> Key {
        let mask: UInt128 = length == 0 ? 0 : ~UInt128(0) << (128 - length)
        return Key(ipv6: ipv6, length: UInt8(length), bits: bits & mask)
    }
}
