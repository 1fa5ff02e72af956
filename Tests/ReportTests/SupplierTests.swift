import PeilModel
import Report
import XCTest

/// Naming providers from DNS facts: MX and NS host names by registered domain, web hosting by
/// shared addresses.
final class SupplierTests: XCTestCase {
    static func facts(_ domain: String, mx: [String], ns: [String], web: [String]) -> DNSFacts {
        DNSFacts(domain: domain, dnssec: .secure, nsZone: domain, nameservers: ns.map { HostAddresses(host: $0) },
                 domainAddresses: HostAddresses(host: domain), web: HostAddresses(host: "www." + domain, ipv4: web), webDNSSEC: .secure,
                 mx: mx.enumerated().map { MailExchanger(preference: $0.offset, host: $0.element, dnssec: .insecure) },
                 nullMX: false, txt: [], spf: [], dmarc: [], domainKey: .exists, caaFoundAt: nil, caa: [], webTLSA: [])
    }

    func testProvidersAreNamedByRegisteredDomainAndSharedAddress() {
        let domains = [
            MeasuredDomain(domain: "a.nl", cells: [:], facts: Self.facts("a.nl", mx: ["a-nl.mail.wolkmail.com"], ns: ["ns1.dns.example", "ns2.dns.example"], web: ["192.0.2.1"])),
            MeasuredDomain(domain: "b.nl", cells: [:], facts: Self.facts("b.nl", mx: ["mail.b.nl"], ns: ["ns.b.nl"], web: ["192.0.2.1", "192.0.2.2"])),
            MeasuredDomain(domain: "c.nl", cells: [:], facts: Self.facts("c.nl", mx: ["mx.x.nl", "mx.wolkmail.com"], ns: [], web: ["192.0.2.2"])),
            MeasuredDomain(domain: "d.nl", cells: [:], facts: Self.facts("d.nl", mx: [""], ns: ["ns.dns.example"], web: ["198.51.100.7"])),
            MeasuredDomain(domain: "e.nl", cells: [:], facts: Self.facts("e.nl", mx: [], ns: ["ns.dns.example"], web: ["192.0.2.1"])),
            MeasuredDomain(domain: "f.nl", cells: [:], facts: Self.facts("f.nl", mx: [], ns: [], web: ["192.0.2.2"])),
            MeasuredDomain(domain: "g.nl", cells: [:], facts: Self.facts("g.nl", mx: [], ns: [], web: ["198.51.100.8"])),
            MeasuredDomain(domain: "h.nl", cells: [:], facts: Self.facts("h.nl", mx: [], ns: [], web: ["198.51.100.8"])),
        ]
        let providers = Suppliers.providers(of: domains) { _ in nil }
        XCTAssertEqual(providers["a.nl"], Providers(mail: "wolkmail.com", dns: "dns.example", web: "shared 192.0.2.1 (+1)"))
        XCTAssertEqual(providers["b.nl"], Providers(mail: "own domain", dns: "own domain", web: "shared 192.0.2.1 (+1)"),
                       "b.nl's two addresses join both shared addresses into one platform")
        XCTAssertEqual(providers["c.nl"]?.mail, "wolkmail.com + x.nl")
        XCTAssertNil(providers["c.nl"]?.dns)
        XCTAssertEqual(providers["c.nl"]?.web, "shared 192.0.2.1 (+1)")
        XCTAssertNil(providers["d.nl"]?.mail, "a null MX has no provider")
        XCTAssertEqual(providers["d.nl"]?.web, "own address", "an address used by one web host is not shared hosting")
        XCTAssertEqual(providers["g.nl"]?.web, "own address", "nor is one used by two (below the threshold of \(Suppliers.sharedThreshold))")
        XCTAssertNil(providers["e.nl"]?.mail)
    }

    func testFailuresCountWithTheKindThatOwnsTheColumn() {
        XCTAssertTrue(SupplierKind.dns.owns("web.dnssec"))
        XCTAssertTrue(SupplierKind.dns.owns("mail.ipv6_nameserver"))
        XCTAssertTrue(SupplierKind.mail.owns("mail.dane"))
        XCTAssertTrue(SupplierKind.mail.owns("mail.future_column"))
        XCTAssertFalse(SupplierKind.mail.owns("mail.ipv6_nameserver"))
        XCTAssertTrue(SupplierKind.web.owns("web.hsts"))
        XCTAssertFalse(SupplierKind.web.owns("web.ipv6_nameserver"))
    }
}
