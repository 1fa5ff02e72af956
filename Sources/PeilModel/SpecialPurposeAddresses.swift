#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One block of address space and what a field measurement does with an address in it.
public struct AddressBlock: Sendable, Hashable, CustomStringConvertible {
    /// What an address in the block is.
    public enum Rule: Sendable, Hashable {
        /// Not globally reachable: never sent anything.
        case refused
        /// Globally reachable although it lies inside a refused block (the registry says so).
        case globallyReachable
        /// The address carries an IPv4 address in octets `at..<at + 4`: it is judged as that
        /// IPv4 address (a connect to it reaches, or claims to reach, that address).
        case embeddedIPv4(at: Int)
    }

    public let network: IPNetwork
    /// 4 octets for IPv4, 16 for IPv6; bits past `prefixLength` are zero.
    public var octets: [UInt8] { network.octets }
    public var prefixLength: Int { network.prefixLength }
    /// The registry's name for the block, e.g. "private-use".
    public let name: String
    /// Where it is defined, e.g. "RFC 1918".
    public let reference: String
    public let rule: Rule
    /// The block in CIDR form, as written in the table.
    public let cidr: String

    init(_ cidr: String, _ name: String, _ reference: String, _ rule: Rule = .refused) {
        // A block of the table is written with its host bits clear.
        let address = IPNetwork.parseAddress(String(cidr.split(separator: "/")[0]))
        guard let network = IPNetwork(cidr), network.octets == address else { preconditionFailure("bad block \(cidr)") }
        self.network = network
        self.name = name
        self.reference = reference
        self.rule = rule
        self.cidr = cidr
    }

    /// Whether `address` (4 or 16 octets) lies in the block.
    public func contains(_ address: [UInt8]) -> Bool { network.contains(address) }

    /// "RFC 1918 private-use, 10.0.0.0/8".
    public var description: String { "\(reference) \(name), \(cidr)" }
}

/// The addresses a field measurement may send to: every address but those the IANA
/// **IPv4 and IPv6 Special-Purpose Address Registries** (RFC 6890, updated by RFC 8190;
/// iana.org/assignments/iana-ipv4-special-registry and iana-ipv6-special-registry) mark as not
/// globally reachable, plus multicast (RFC 5771, RFC 4291), the IPv4 reserved block 240/4 and,
/// for IPv6, everything outside the global unicast space 2000::/3 (IANA IPv6 Address Space
/// registry) but the NAT64 well-known prefix. A hostile zone can point a web host, an MX or a
/// nameserver at the agent's own loopback, its LAN or a cloud metadata service
/// (169.254.169.254); none of these is the target's server, so nothing is sent there.
///
/// Anycast service addresses the registry marks globally reachable (PCP 192.0.0.9 and
/// 2001:1::1, TURN 192.0.0.10 and 2001:1::2, DNS-SD SRP 2001:1::3) are refused too: a connect
/// reaches the nearest instance, which may be in the agent's own network. Addresses embedding
/// an IPv4 address (IPv4-mapped ::ffff:0:0/96, the NAT64 prefix 64:ff9b::/96, 6to4 2002::/16)
/// are judged as that IPv4 address. Pure: a table and a lookup.
public enum SpecialPurposeAddresses {
    /// The IPv4 blocks (the most specific block containing an address decides).
    public static let ipv4: [AddressBlock] = [
        AddressBlock("0.0.0.0/8", "\"this network\"", "RFC 791"),
        AddressBlock("10.0.0.0/8", "private-use", "RFC 1918"),
        AddressBlock("100.64.0.0/10", "shared address space (carrier-grade NAT)", "RFC 6598"),
        AddressBlock("127.0.0.0/8", "loopback", "RFC 1122"),
        AddressBlock("169.254.0.0/16", "link-local", "RFC 3927"),
        AddressBlock("172.16.0.0/12", "private-use", "RFC 1918"),
        AddressBlock("192.0.0.0/24", "IETF protocol assignments", "RFC 6890"),
        AddressBlock("192.0.2.0/24", "documentation (TEST-NET-1)", "RFC 5737"),
        AddressBlock("192.88.99.0/24", "deprecated 6to4 relay anycast", "RFC 7526"),
        AddressBlock("192.168.0.0/16", "private-use", "RFC 1918"),
        AddressBlock("198.18.0.0/15", "benchmarking", "RFC 2544"),
        AddressBlock("198.51.100.0/24", "documentation (TEST-NET-2)", "RFC 5737"),
        AddressBlock("203.0.113.0/24", "documentation (TEST-NET-3)", "RFC 5737"),
        AddressBlock("224.0.0.0/4", "multicast", "RFC 5771"),
        AddressBlock("240.0.0.0/4", "reserved", "RFC 1112"),
        AddressBlock("255.255.255.255/32", "limited broadcast", "RFC 919"),
    ]

    /// The IPv6 blocks (the most specific block containing an address decides).
    public static let ipv6: [AddressBlock] = [
        // Outside global unicast (IANA IPv6 Address Space: 2000::/3 is the only global unicast).
        AddressBlock("::/3", "outside global unicast 2000::/3", "RFC 4291"),
        AddressBlock("4000::/2", "outside global unicast 2000::/3", "RFC 4291"),
        AddressBlock("8000::/1", "outside global unicast 2000::/3", "RFC 4291"),
        AddressBlock("::/128", "unspecified", "RFC 4291"),
        AddressBlock("::1/128", "loopback", "RFC 4291"),
        AddressBlock("::ffff:0:0/96", "IPv4-mapped", "RFC 4291", .embeddedIPv4(at: 12)),
        AddressBlock("64:ff9b::/96", "NAT64 well-known prefix", "RFC 6052", .embeddedIPv4(at: 12)),
        AddressBlock("64:ff9b:1::/48", "local-use IPv4/IPv6 translation", "RFC 8215"),
        AddressBlock("100::/64", "discard-only", "RFC 6666"),
        AddressBlock("100:0:0:1::/64", "dummy prefix", "RFC 9780"),
        AddressBlock("2001::/23", "IETF protocol assignments", "RFC 2928"),
        AddressBlock("2001::/32", "Teredo", "RFC 4380"),
        AddressBlock("2001:1::1/128", "PCP anycast", "RFC 7723"),
        AddressBlock("2001:1::2/128", "TURN anycast", "RFC 8155"),
        AddressBlock("2001:1::3/128", "DNS-SD SRP anycast", "RFC 9665"),
        AddressBlock("2001:2::/48", "benchmarking", "RFC 5180"),
        AddressBlock("2001:3::/32", "AMT", "RFC 7450", .globallyReachable),
        AddressBlock("2001:4:112::/48", "AS112-v6", "RFC 7535", .globallyReachable),
        AddressBlock("2001:10::/28", "deprecated ORCHID", "RFC 4843"),
        AddressBlock("2001:20::/28", "ORCHIDv2", "RFC 7343", .globallyReachable),
        AddressBlock("2001:30::/28", "drone remote ID entity tags", "RFC 9374", .globallyReachable),
        AddressBlock("2001:db8::/32", "documentation", "RFC 3849"),
        AddressBlock("2002::/16", "6to4", "RFC 3056", .embeddedIPv4(at: 2)),
        AddressBlock("3fff::/20", "documentation", "RFC 9637"),
        AddressBlock("5f00::/16", "segment routing (SRv6) SIDs", "RFC 9602"),
        AddressBlock("fc00::/7", "unique-local", "RFC 4193"),
        AddressBlock("fe80::/10", "link-local", "RFC 4291"),
        AddressBlock("ff00::/8", "multicast", "RFC 4291"),
    ]

    /// Why a field measurement sends nothing to `address` (4 or 16 octets): the block that
    /// refuses it (for an embedded IPv4 address, the IPv4 block, with the embedding block as
    /// `via`), or nil for a public address.
    public static func refusingBlock(_ address: [UInt8]) -> (block: AddressBlock, via: AddressBlock?)? {
        guard address.count == 4 || address.count == 16 else { return nil }
        let table = address.count == 4 ? ipv4 : ipv6
        guard let block = table.filter({ $0.contains(address) }).max(by: { $0.prefixLength < $1.prefixLength }) else { return nil }
        switch block.rule {
        case .refused: return (block, nil)
        case .globallyReachable: return nil
        case .embeddedIPv4(let offset):
            let embedded = Array(address[offset..<offset + 4])
            return refusingBlock(embedded).map { ($0.block, block) }
        }
    }

    /// Whether a field measurement may send to `address` (4 or 16 octets).
    public static func isPublic(_ address: [UInt8]) -> Bool {
        (address.count == 4 || address.count == 16) && refusingBlock(address) == nil
    }

    /// The reason a connect task gives for not probing `address` ("not probed: 10.1.2.3 is a
    /// special-purpose address (RFC 1918 private-use, 10.0.0.0/8)"), or nil when it is public.
    public static func refusal(of address: String) -> String? {
        guard let octets = IPNetwork.parseAddress(address) else { return "not probed: \(address) is not an IP address" }
        guard let (block, via) = refusingBlock(octets) else { return nil }
        let embedding = via.map { " via \($0.reference) \($0.name)" } ?? ""
        return "not probed: \(address) is a special-purpose address (\(block)\(embedding))"
    }
}
