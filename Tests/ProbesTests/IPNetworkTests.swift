import Testing
import PeilModel
@testable import Probes

@Suite("IP networks and the upstream fence")
struct IPNetworkTests {
    @Test func parsing() throws {
        let lab = try #require(IPNetwork("198.18.0.0/15"))
        #expect(lab.description == "198.18.0.0/15")
        #expect(IPNetwork("198.19.255.1/15")?.description == "198.18.0.0/15") // host bits cleared
        #expect(IPNetwork("2001:2::/48")?.description == "2001:2::/48")
        #expect(IPNetwork("::1")?.prefixLength == 128)
        for bad in ["198.18.0.0/33", "2001:2::/129", "198.18.0.0/", "198.18.0.0/1x", "nonsense", "198.18.0.0/15/1", "198.18.0.0/+1"] {
            #expect(IPNetwork(bad) == nil, "\(bad)")
        }
    }

    @Test func containment() throws {
        let lab = try #require(IPNetwork("198.18.0.0/15"))
        #expect(lab.contains(IPNetwork.parseAddress("198.19.255.255")!))
        #expect(!lab.contains(IPNetwork.parseAddress("198.20.0.0")!))
        #expect(!lab.contains(IPNetwork.parseAddress("2001:2::1")!))
        #expect(lab.contains(IPNetwork("198.18.4.0/24")!))
        #expect(!IPNetwork("198.18.4.0/24")!.contains(lab))
    }

    @Test func labPolicyAllowsOnlyLoopbackAndTheBenchmarkingRanges() {
        let policy = UpstreamPolicy.labAndLoopback
        for allowed in ["127.0.0.1", "::1", "198.18.0.1", "198.19.3.2", "2001:2::53", "2001:2:0:ffff::1"] {
            #expect(policy.allows(IPNetwork.parseAddress(allowed)!), "\(allowed)")
        }
        for refused in ["8.8.8.8", "10.0.0.1", "192.168.1.1", "172.16.0.1", "198.20.0.1", "2001:3::1", "2001:2:1::1", "::ffff:198.18.0.1", "fe80::1", "193.0.14.129"] {
            #expect(!policy.allows(IPNetwork.parseAddress(refused)!), "\(refused)")
        }
        #expect(UpstreamPolicy.publicOnly.allows(IPNetwork.parseAddress("8.8.8.8")!))
        #expect(policy.refusal(of: "10.0.0.1") == "not probed: 10.0.0.1 is outside the networks this agent may probe (loopback and the lab ranges)")
        #expect(policy.refusal(of: "198.18.0.1") == nil)
    }

    @Test func publicPolicyRefusesSpecialPurposeAddresses() {
        let policy = UpstreamPolicy.publicOnly
        for refused in ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "fd00::1", "198.18.0.1", "2001:2::53", "::ffff:10.0.0.1", "2002:a00:1::1"] {
            #expect(!policy.allows(IPNetwork.parseAddress(refused)!), "\(refused)")
            #expect(policy.refusal(of: refused)?.contains("is a special-purpose address") == true, "\(refused)")
        }
        for allowed in ["8.8.8.8", "193.0.14.129", "2001:4860:4860::8888", "2001:3::1", "::ffff:8.8.8.8"] {
            #expect(policy.allows(IPNetwork.parseAddress(allowed)!) && policy.refusal(of: allowed) == nil, "\(allowed)")
        }
    }

    /// libunbound's fence for the public policy covers exactly the refused addresses: every
    /// block edge and its neighbours, embedded IPv4 of every IPv4 block, and a deterministic sample.
    @Test func specialPurposeNetworksCoverExactlyTheRefusedAddresses() {
        let fence4 = IPNetwork.specialPurpose(ipv6: false), fence6 = IPNetwork.specialPurpose(ipv6: true)
        #expect(UpstreamPolicy.publicOnly.deniedNetworks == fence4 + fence6)
        var samples: [[UInt8]] = []
        for block in SpecialPurposeAddresses.ipv4 + SpecialPurposeAddresses.ipv6 {
            let network = IPNetwork(octets: block.octets, prefixLength: block.prefixLength)!
            var last = network.octets
            for index in last.indices {
                let keep = max(0, min(8, network.prefixLength - index * 8))
                if keep < 8 { last[index] |= UInt8(0xFF) >> UInt8(keep) }
            }
            samples += [network.octets, last]
        }
        for v4 in samples.filter({ $0.count == 4 }) {
            samples += [[UInt8](repeating: 0, count: 10) + [0xFF, 0xFF] + v4, [0, 0x64, 0xFF, 0x9B] + [UInt8](repeating: 0, count: 8) + v4,
                        [0x20, 0x02] + v4 + [UInt8](repeating: 0, count: 10)]
        }
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        for _ in 0..<2_000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let bytes = withUnsafeBytes(of: seed.bigEndian) { Array($0) } + withUnsafeBytes(of: (seed &* 31).bigEndian) { Array($0) }
            samples += [Array(bytes.prefix(4)), bytes, [0x20] + bytes.suffix(15), [0x20, 0x02] + bytes.suffix(14), [0x20, 0x01, 0, bytes[3] & 1] + bytes.suffix(12)]
        }
        for address in samples {
            let fenced = (address.count == 4 ? fence4 : fence6).filter { $0.contains(address) }
            #expect(fenced.count == (SpecialPurposeAddresses.isPublic(address) ? 0 : 1), "\(address)")
        }
    }

    @Test func complementCoversExactlyWhatIsNotAllowed() {
        let allowed = IPNetwork.labAndLoopback
        let fence4 = IPNetwork.complement(of: allowed, ipv6: false)
        let fence6 = IPNetwork.complement(of: allowed, ipv6: true)
        #expect(fence4.count == 8 + 15 - 2) // one network per bit of each allowed prefix, minus shared ancestors
        #expect(fence6.count < 128 + 48)
        // Deterministic sample across the space, plus the edges of every allowed network.
        var samples: [[UInt8]] = []
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<500 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let v4 = withUnsafeBytes(of: seed.bigEndian) { Array($0.prefix(4)) }
            let v6 = withUnsafeBytes(of: seed.bigEndian) { Array($0) } + withUnsafeBytes(of: (seed &* 31).bigEndian) { Array($0) }
            samples += [v4, v6, [198, 18] + v4.suffix(2), [198, 19] + v4.suffix(2), [0x20, 0x01, 0, 2, 0, 0] + v6.suffix(10),
                        [0x20, 0x01, 0, 2, 0, 1] + v6.suffix(10), [127] + v4.suffix(3)]
        }
        samples += [[0, 0, 0, 0], [255, 255, 255, 255], [198, 17, 255, 255], [198, 20, 0, 0], [UInt8](repeating: 0, count: 15) + [1],
                    [UInt8](repeating: 0, count: 16), [UInt8](repeating: 0, count: 15) + [2]]
        for address in samples {
            let isAllowed = allowed.contains { $0.contains(address) }
            let fenced = (address.count == 4 ? fence4 : fence6).filter { $0.contains(address) }
            #expect(fenced.count == (isAllowed ? 0 : 1), "\(address)")
        }
    }

    @Test func complementOfNothingIsEverythingAndOfEverythingIsNothing() {
        #expect(IPNetwork.complement(of: [], ipv6: false).map(\.description) == ["0.0.0.0/0"])
        #expect(IPNetwork.complement(of: [IPNetwork("::/0")!], ipv6: true).isEmpty)
        #expect(IPNetwork.complement(of: [IPNetwork("128.0.0.0/1")!], ipv6: false).map(\.description) == ["0.0.0.0/1"])
    }
}
