#if canImport(Glibc)
import Glibc
#endif
import PeilModel
import Testing
@testable import Probes

@Suite("Presentation format")
struct DNSPresentationTests {
    private static func octets(_ text: String) -> [UInt8] { IPNetwork.parseAddress(text)! }

    @Test(arguments: [
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("0:0:0:0:0:0:0:0", "::"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"), // one zero hextet is not compressed
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"), // the longest run is compressed
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), // of equal runs, the first
        ("2001:DB8::ABCD", "2001:db8::abcd"), // lower case
        ("2001:db8:0:0:0:0:0:0", "2001:db8::"),
        ("0:0:0:1:0:0:0:0", "0:0:0:1::"),
        ("fe80::0:0:0:1", "fe80::1"),
        ("::ffff:198.18.0.1", "::ffff:198.18.0.1"), // IPv4-mapped keeps the dotted quad
        ("2001:2:0:53::a", "2001:2:0:53::a"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
    ])
    func ipv6FollowsRFC5952(input: String, expected: String) {
        #expect(DNSPresentation.ipv6(Self.octets(input)) == expected)
    }

    @Test func addressesOfTheWrongLengthAreRefused() {
        #expect(DNSPresentation.ipv6([1, 2, 3]) == nil)
        #expect(DNSPresentation.ipv4([1, 2, 3]) == nil)
        #expect(DNSPresentation.ipv4([198, 18, 0, 255]) == "198.18.0.255")
    }

    @Test(arguments: [
        ([Array("WWW".utf8), Array("Example".utf8), Array("NL".utf8)], "www.example.nl"),
        ([], "."),
        ([Array("_25".utf8), Array("_tcp".utf8), Array("mx".utf8)], "_25._tcp.mx"),
        ([Array("*".utf8), Array("nl".utf8)], "*.nl"),
        ([Array("a.b".utf8), Array("nl".utf8)], "a\\.b.nl"),
        ([[0x61, 0x20, 0x00, 0xC3], Array("nl".utf8)], "a\\032\\000\\195.nl"),
        ([Array("back\\slash".utf8)], "back\\\\slash"),
    ])
    func namesAreLowerCaseEscapedWithoutTrailingDot(labels: [[UInt8]], expected: String) {
        #expect(DNSPresentation.name(labels) == expected)
    }

    @Test func tlsaAndHex() {
        #expect(DNSPresentation.tlsa(usage: 3, selector: 1, matchingType: 1, data: [0xDE, 0xAD, 0xBE, 0xEF]) == "3 1 1 deadbeef")
        #expect(DNSPresentation.tlsa(usage: 3, selector: 0, matchingType: 0, data: []) == "3 0 0")
        #expect(DNSPresentation.hex([0x00, 0x0A, 0xF0]) == "000af0")
    }

    @Test func caa() {
        #expect(DNSPresentation.caa(flags: 0, tag: Array("Issue".utf8), value: Array("ca.lab; account=1".utf8)) == "0 issue \"ca.lab; account=1\"")
    }

    @Test func responseCodeMnemonics() {
        #expect((0...10).map(DNSResponseCode.mnemonic) == [
            "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
        ])
        #expect(DNSResponseCode.mnemonic(15) == "RCODE15")
    }

    @Test func recordTypeMnemonics() {
        for type in DNSRecordType.allCases {
            #expect(DNSRecordType(mnemonic: type.mnemonic) == type)
            #expect(DNSRecordType(mnemonic: type.mnemonic.lowercased()) == type)
        }
        #expect(DNSRecordType(mnemonic: "SRV") == nil)
    }
}
