import PeilModel
import XCTest

/// Which connect tasks a domain's facts call for, and how they are keyed.
final class ConnectPlannerTests: XCTestCase {
    func facts(web: HostAddresses, nameservers: [HostAddresses], mx: [MailExchanger], webNameservers: [HostAddresses]? = nil) -> DNSFacts {
        DNSFacts(domain: "example.nl", dnssec: .secure, nsZone: "example.nl", nameservers: nameservers,
                 domainAddresses: HostAddresses(host: "example.nl"), web: web, webDNSSEC: .secure, mx: mx, nullMX: false,
                 txt: [], spf: [], dmarc: [], domainKey: .exists, caaFoundAt: nil, caa: [], webTLSA: [],
                 webNSZone: webNameservers == nil ? nil : "www.example.nl", webNameservers: webNameservers)
    }

    func testEveryEndpointKindOnce() {
        let plan = ConnectPlanner.plan(facts(
            web: HostAddresses(host: "www.example.nl", ipv4: ["198.18.16.9", "198.18.16.10"], ipv6: ["2001:2:0:80::1", "::ffff:198.18.16.9"]),
            nameservers: [HostAddresses(host: "ns1.dns.nl", ipv4: ["198.18.0.1"], ipv6: ["2001:2::1"]), HostAddresses(host: "ns2.dns.nl", ipv6: ["2001:2::1"])],
            mx: [MailExchanger(preference: 10, host: "a.mail.nl", dnssec: .secure, ipv4: ["198.18.32.1"]),
                 MailExchanger(preference: 20, host: "b.mail.nl", dnssec: .secure, ipv4: ["198.18.32.1"], ipv6: ["2001:2:0:25::1"]),
                 MailExchanger(preference: 0, host: "", dnssec: .secure)],
            webNameservers: [HostAddresses(host: "ns.web.nl", ipv6: ["2001:2::99"])]))
        let described = plan.map { "\($0.kind.rawValue) \($0.target.address) \($0.target.host)" }
        XCTAssertEqual(described, [
            "reach 198.18.16.10 www.example.nl", "reach 198.18.16.9 www.example.nl", "reach 2001:2:0:80::1 www.example.nl",
            // One address per family for the web probe, the first in text order; the IPv4-mapped AAAA is no IPv6.
            "web 198.18.16.10 www.example.nl", "web 2001:2:0:80::1 www.example.nl",
            // One task per nameserver address however many names share it; the web host's own NS too.
            "nameserver 2001:2::1 ns1.dns.nl", "nameserver 2001:2::99 ns.web.nl",
            // One task per MX address, whatever MX name brought it; the null MX has none.
            "mail 198.18.32.1 a.mail.nl", "mail 2001:2:0:25::1 b.mail.nl",
        ])
        XCTAssertTrue(plan.allSatisfy { $0.target.family == ConnectTarget.family(of: $0.target.address) })
    }

    func testKeysShareAddressesExceptForTheWebProbe() {
        let reachA = PlannedConnect(kind: .reach, target: ConnectTarget(address: "198.18.16.1", family: .ipv4, host: "www.a.nl"))
        let reachB = PlannedConnect(kind: .reach, target: ConnectTarget(address: "198.18.16.1", family: .ipv4, host: "www.b.nl"))
        XCTAssertEqual(reachA.endpointKey, reachB.endpointKey)
        let webA = PlannedConnect(kind: .web, target: reachA.target), webB = PlannedConnect(kind: .web, target: reachB.target)
        XCTAssertNotEqual(webA.endpointKey, webB.endpointKey, "SNI and Host differ")
        XCTAssertNotEqual(webA.endpointKey, reachA.endpointKey)
    }
}
