import PeilModel
import XCTest

/// The field fence's table (IANA IPv4 and IPv6 Special-Purpose Address Registries): every
/// block's first and last address, the addresses around it, embedded IPv4, the globally
/// reachable exceptions, and public addresses.
final class SpecialPurposeAddressesTests: XCTestCase {
    func octets(_ text: String) -> [UInt8] { IPNetwork.parseAddress(text)! }

    /// The block's last address (every host bit set).
    func last(_ block: AddressBlock) -> [UInt8] {
        block.octets.enumerated().map { index, byte in
            let keep = max(0, min(8, block.prefixLength - index * 8))
            return keep == 8 ? byte : byte | (UInt8(0xFF) >> UInt8(keep))
        }
    }

    /// The address one below `address` and one above, where they exist.
    func neighbours(_ address: [UInt8]) -> [[UInt8]] {
        var below = address, above = address
        var index = address.count - 1
        while index >= 0, below[index] == 0 { below[index] = 0xFF; index -= 1 }
        let hasBelow = index >= 0
        if hasBelow { below[index] -= 1 }
        index = address.count - 1
        while index >= 0, above[index] == 0xFF { above[index] = 0; index -= 1 }
        let hasAbove = index >= 0
        if hasAbove { above[index] += 1 }
        return (hasBelow ? [below] : []) + (hasAbove ? [above] : [])
    }

    /// The decision by hand: the most specific block, the embedded IPv4 judged on its own.
    func expectedPublic(_ address: [UInt8]) -> Bool {
        let table = address.count == 4 ? SpecialPurposeAddresses.ipv4 : SpecialPurposeAddresses.ipv6
        let matching = table.filter { $0.contains(address) }
        guard let block = matching.max(by: { $0.prefixLength < $1.prefixLength }) else { return true }
        XCTAssertEqual(matching.filter { $0.prefixLength == block.prefixLength }.count, 1, "one most specific block for \(address)")
        switch block.rule {
        case .refused: return false
        case .globallyReachable: return true
        case .embeddedIPv4(let at): return expectedPublic(Array(address[at..<at + 4]))
        }
    }

    func testTheBriefsAddressesAreRefusedWithTheirBlock() {
        let cases = [
            "127.0.0.1": "RFC 1122 loopback, 127.0.0.0/8", "127.0.0.2": "RFC 1122 loopback", "10.0.0.1": "RFC 1918 private-use, 10.0.0.0/8",
            "169.254.169.254": "RFC 3927 link-local, 169.254.0.0/16", "::1": "RFC 4291 loopback, ::1/128",
            "fd00::1": "RFC 4193 unique-local, fc00::/7", "fc00::1": "unique-local", "fe80::1": "RFC 4291 link-local",
            "0.0.0.0": "RFC 791", "100.64.0.1": "RFC 6598", "172.31.255.255": "RFC 1918", "192.0.0.9": "RFC 6890",
            "192.0.2.1": "RFC 5737", "192.88.99.1": "RFC 7526", "192.168.0.1": "RFC 1918", "198.18.0.1": "RFC 2544",
            "198.19.255.255": "RFC 2544", "198.51.100.7": "RFC 5737", "203.0.113.9": "RFC 5737", "224.0.0.251": "RFC 5771 multicast",
            "239.255.255.250": "multicast", "240.0.0.1": "RFC 1112", "255.255.255.255": "RFC 919 limited broadcast, 255.255.255.255/32",
            "::": "RFC 4291 unspecified", "64:ff9b:1::1": "RFC 8215", "100::1": "RFC 6666", "100:0:0:1::1": "RFC 9780",
            "2001::1": "RFC 4380 Teredo", "2001:1::1": "RFC 7723", "2001:1::2": "RFC 8155", "2001:1::3": "RFC 9665",
            "2001:1::4": "RFC 2928", "2001:2:1::1": "RFC 2928 IETF protocol assignments, 2001::/23", "2001:2::53": "RFC 5180 benchmarking", "2001:10::1": "RFC 4843",
            "2001:db8::1": "RFC 3849", "3fff::1": "RFC 9637", "5f00::1": "RFC 9602", "ff02::1": "RFC 4291 multicast",
            "fec0::1": "RFC 4291 outside global unicast", "4000::1": "outside global unicast", "8000::1": "outside global unicast",
        ]
        for (address, block) in cases {
            let refusal = SpecialPurposeAddresses.refusal(of: address)
            XCTAssertEqual(refusal?.hasPrefix("not probed: \(address) is a special-purpose address ("), true, address)
            XCTAssertTrue(refusal?.contains(block) == true, "\(address): \(refusal ?? "allowed")")
            XCTAssertFalse(SpecialPurposeAddresses.isPublic(octets(address)), address)
        }
    }

    func testEmbeddedIPv4IsJudgedAsThatAddress() {
        for address in ["::ffff:127.0.0.1", "::ffff:10.1.2.3", "64:ff9b::a9fe:a9fe", "64:ff9b::10.0.0.1", "2002:7f00:1::1", "2002:a9fe:a9fe::1", "2002:c0a8:101::"] {
            XCTAssertFalse(SpecialPurposeAddresses.isPublic(octets(address)), address)
            XCTAssertTrue(SpecialPurposeAddresses.refusal(of: address)?.contains(" via RFC ") == true, address)
        }
        XCTAssertEqual(SpecialPurposeAddresses.refusal(of: "2002:a01:203::1"),
                       "not probed: 2002:a01:203::1 is a special-purpose address (RFC 1918 private-use, 10.0.0.0/8 via RFC 3056 6to4)")
        for address in ["::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"] {
            XCTAssertTrue(SpecialPurposeAddresses.isPublic(octets(address)), address)
        }
    }

    func testGloballyReachableAddressesAndTheExceptionsTheRegistryNamesAreAllowed() {
        for address in ["8.8.8.8", "1.1.1.1", "193.0.14.129", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0",
                        "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.255", "192.0.3.0",
                        "192.31.196.1", "192.52.193.1", "192.175.48.1", "192.167.255.255", "192.169.0.0", "198.17.255.255",
                        "198.20.0.0", "223.255.255.255", "126.255.255.255", "128.0.0.0",
                        "2001:4860:4860::8888", "2a00:1450:4001::1", "2620:4f:8000::1", "2001:3::1", "2001:4:112::1",
                        "2001:20::1", "2001:30::1", "2001:200::1", "2001:db7:ffff::1", "2001:db9::1", "2003::1", "3ffe::1",
                        "2000::", "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:200::"] {
            XCTAssertNil(SpecialPurposeAddresses.refusal(of: address), address)
            XCTAssertTrue(SpecialPurposeAddresses.isPublic(octets(address)), address)
        }
    }

    /// Every block's first and last address and the address on each side of it, against the
    /// decision worked out by hand from the table.
    func testEveryBlockEdgeAndItsNeighbours() {
        var checked = 0
        for block in SpecialPurposeAddresses.ipv4 + SpecialPurposeAddresses.ipv6 {
            for address in [block.octets, last(block)] + neighbours(block.octets) + neighbours(last(block)) {
                XCTAssertEqual(SpecialPurposeAddresses.isPublic(address), expectedPublic(address), "\(block) \(address)")
                checked += 1
            }
            if block.rule == .refused {
                XCTAssertFalse(SpecialPurposeAddresses.isPublic(block.octets), "\(block) first address")
            }
        }
        XCTAssertGreaterThan(checked, 150)
    }

    func testTheTableIsWellFormed() {
        for block in SpecialPurposeAddresses.ipv4 { XCTAssertEqual(block.octets.count, 4, block.cidr) }
        for block in SpecialPurposeAddresses.ipv6 { XCTAssertEqual(block.octets.count, 16, block.cidr) }
        let all = SpecialPurposeAddresses.ipv4 + SpecialPurposeAddresses.ipv6
        XCTAssertEqual(Set(all.map(\.cidr)).count, all.count, "no block twice")
        XCTAssertTrue(all.allSatisfy { $0.reference.hasPrefix("RFC ") && !$0.name.isEmpty })
        // Every IPv4 block of the registry that is not globally reachable is here.
        for cidr in ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
                     "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
                     "240.0.0.0/4", "255.255.255.255/32", "224.0.0.0/4"] {
            XCTAssertTrue(SpecialPurposeAddresses.ipv4.contains { $0.cidr == cidr && $0.rule == .refused }, cidr)
        }
        for cidr in ["::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "fc00::/7", "fe80::/10", "ff00::/8"] {
            XCTAssertTrue(SpecialPurposeAddresses.ipv6.contains { $0.cidr == cidr && $0.rule == .refused }, cidr)
        }
        XCTAssertEqual(SpecialPurposeAddresses.refusal(of: "www.example.nl"), "not probed: www.example.nl is not an IP address")
    }
}
