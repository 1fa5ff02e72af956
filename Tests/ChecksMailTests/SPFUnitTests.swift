import Checks
import Testing

/// Addresses, macros and term parsing in isolation.
struct SPFUnitTests {
    @Test func addresses() throws {
        #expect(IPAddress("192.0.2.1")?.description == "192.0.2.1")
        #expect(IPAddress("192.0.2.01") == nil)
        #expect(IPAddress("256.0.0.1") == nil)
        #expect(IPAddress("2001:DB8::1")?.description == "2001:db8::1")
        #expect(IPAddress("2001:db8:0:0:1:0:0:1")?.description == "2001:db8::1:0:0:1")
        #expect(IPAddress("::ffff:192.0.2.1")?.unmapped == IPAddress("192.0.2.1"))
        #expect(IPAddress("1::2::3") == nil)
        #expect(IPAddress(":CAFE::BABE") == nil)
        let network = try #require(IPAddress("2001:db8:8000::"))
        #expect(network.contains(try #require(IPAddress("2001:db8:ffff::1")), prefix: 33))
        #expect(!network.contains(try #require(IPAddress("2001:db8:7fff::1")), prefix: 33))
        #expect(!network.contains(try #require(IPAddress("192.0.2.1")), prefix: 0))
        #expect(IPAddress("192.0.2.1")?.reverseName == "1.2.0.192.in-addr.arpa")
        #expect(IPAddress("2001:db8::1")?.reverseName.hasPrefix("1.0.0.0.") == true)
    }

    @Test func macros() async throws {
        let spec = try SPFMacroString(parsing: "%{ir}.%{l1r-}.%{D2}.%%%_%-")
        let expanded = await spec.expand { letter in
            switch letter {
            case "i": "192.0.2.1"
            case "l": "first-last"
            case "d": "a.b.Example.NL"
            default: ""
            }
        }
        #expect(expanded == "1.2.0.192.first.Example.NL.% %20")
        #expect(throws: SPFMacroError.self) { try SPFMacroString(parsing: "%{x}") }
        #expect(throws: SPFMacroError.self) { try SPFMacroString(parsing: "%{c}") }
        #expect(throws: SPFMacroError.self) { try SPFMacroString(parsing: "%{d0}") }
        #expect(throws: SPFMacroError.self) { try SPFMacroString(parsing: "50%") }
        #expect((try? SPFMacroString(parsing: "%{c} and %{t}", explanation: true)) != nil)
    }

    @Test func terms() throws {
        let record = try SPFRecord(parsing: "v=spf1 a/24//64 mx:mail.example.nl ~ip6:2001:db8::/32 -exists:%{i}.bl.example redirect=x.example exp=e.example foo=bar")
        #expect(record.directives.count == 4)
        #expect(record.directives[0].mechanism == .a(nil, ipv4Prefix: 24, ipv6Prefix: 64))
        #expect(record.directives[2].qualifier == .softfail)
        #expect(record.redirect?.text == "x.example")
        #expect(record.terms.count == 7)
        for bad in ["v=spf1 a/33", "v=spf1 ip4:1.2.3.4//32", "v=spf1 include", "v=spf1 redirect=a.example redirect=b.example",
                    "v=spf1 exp=", "v=spf1 -all.", "v=spf1 1up=foo", "v=spf1 redirect:x.example", "v=spf1 a:x.example\u{00e9}"] {
            #expect(throws: SPFSyntaxError.self, "\(bad)") { try SPFRecord(parsing: bad) }
        }
        #expect(!SPFRecord.isSPF("v=spf10"))
        #expect(SPFRecord.isSPF("V=SPF1 -all"))
    }
}
