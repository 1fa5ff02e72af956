import Foundation
import PeilModel
import XCTest

@testable import Lab

/// The world description and its ground truth, without running anything.
final class LabWorldTests: XCTestCase {
    let world = LabWorld.minimal

    func testMinimalWorldIsValidAndCoversEveryCase() throws {
        try world.validate()
        let facts = world.expectedFacts()
        XCTAssertGreaterThanOrEqual(facts.count, 24)
        XCTAssertEqual(Set(world.zones.map(\.dnssec)), Set(LabDNSSECMode.allCases))
        XCTAssertEqual(Set(facts.map(\.dnssec)), [.secure, .insecure, .bogus])
        XCTAssertTrue(facts.contains { $0.web.ipv4.isEmpty && $0.web.ipv6.isEmpty }, "a domain without web host addresses")
        XCTAssertTrue(facts.contains { !$0.web.ipv4.isEmpty && $0.web.ipv6.isEmpty }, "a web host with A only")
        XCTAssertTrue(facts.contains { !$0.web.ipv6.isEmpty }, "a web host with AAAA")
        XCTAssertTrue(facts.contains { $0.web.host == $0.domain }, "a web host that is the domain itself")
        XCTAssertTrue(facts.contains { $0.nullMX })
        XCTAssertTrue(facts.contains { $0.mx.isEmpty })
        XCTAssertTrue(facts.contains { Set($0.mx.map(\.preference)).count > 1 }, "MX with several preferences")
        XCTAssertTrue(facts.contains { $0.mx.contains { $0.dnssec == .bogus } }, "MX in a bogus zone")
        XCTAssertTrue(facts.contains { $0.domainKey == .exists } && facts.contains { $0.domainKey == .nxdomain })
        XCTAssertTrue(facts.contains { $0.caaFoundAt == $0.web.host } && facts.contains { $0.caaFoundAt == $0.domain && $0.web.host != $0.domain })
        XCTAssertTrue(facts.contains { $0.caaFoundAt == nil })
        XCTAssertTrue(facts.contains { !$0.webTLSA.isEmpty } && facts.contains { $0.mx.contains { !$0.tlsa.isEmpty } })
        XCTAssertTrue(facts.contains { $0.txt.contains { !$0.lowercased().hasPrefix("v=spf1") } }, "a non-SPF TXT")
        let nameserverKinds = Set(facts.map { facts in facts.nameservers.filter { !$0.ipv6.isEmpty }.count })
        XCTAssertEqual(nameserverKinds, [0, 1, 2], "providers with both, one and no nameserver with AAAA")
    }

    func testFactsFollowThePresentationRules() {
        for facts in world.expectedFacts() {
            let names = [facts.domain, facts.web.host] + facts.nameservers.map(\.host) + facts.mx.map(\.host)
            for name in names {
                XCTAssertEqual(name, name.lowercased())
                XCTAssertFalse(name.hasSuffix("."), name)
            }
            XCTAssertEqual(facts.txt, facts.txt.sorted())
            XCTAssertFalse(facts.txt.contains { $0.contains("\"") }, "TXT unquoted: \(facts.txt)")
            for tlsa in facts.webTLSA + facts.mx.flatMap(\.tlsa) {
                XCTAssertTrue(tlsa.range(of: #"^3 1 1 [0-9a-f]{64}$"#, options: .regularExpression) != nil, tlsa)
            }
            for caa in facts.caa {
                XCTAssertTrue(caa.range(of: #"^0 [a-z]+ "[^"]*"$"#, options: .regularExpression) != nil, caa)
            }
            XCTAssertNil(facts.dnssecReason)
        }
    }

    func testSpecificFacts() throws {
        let rijksoverheid = try XCTUnwrap(world.expectedFacts(for: "rijksoverheid.nl"))
        XCTAssertEqual(rijksoverheid.dnssec, .secure)
        XCTAssertEqual(rijksoverheid.spf, ["v=spf1 ip4:198.18.32.0/20 ip6:2001:2:0:25::/64 -all"])
        XCTAssertEqual(rijksoverheid.caaFoundAt, "rijksoverheid.nl")
        XCTAssertEqual(rijksoverheid.caa, ["0 iodef \"mailto:security@rijksoverheid.nl\"", "0 issue \"letsencrypt.org\""])
        XCTAssertEqual(rijksoverheid.nameservers.map(\.host), ["ns1.alfa-dns.nl", "ns2.alfa-dns.nl"])

        let minaz = try XCTUnwrap(world.expectedFacts(for: "minaz.nl"))
        XCTAssertEqual(minaz.caaFoundAt, "www.minaz.nl")
        XCTAssertEqual(minaz.mx.map { "\($0.preference) \($0.host) \($0.dnssec)" }, ["10 mx1.mailhost.nl insecure", "20 mx2.mailhost.nl insecure"])

        let mijn = try XCTUnwrap(world.expectedFacts(for: "mijn.digid.nl"))
        XCTAssertEqual(mijn.nsZone, "digid.nl")
        XCTAssertEqual(mijn.web, mijn.domainAddresses)
        XCTAssertEqual(mijn.caaFoundAt, "digid.nl")

        XCTAssertEqual(world.expectedFacts(for: "overheid.nl")?.mx.first?.dnssec, .bogus)
        XCTAssertEqual(world.expectedFacts(for: "minocw.nl")?.mx.first?.dnssec, .bogus)
        XCTAssertEqual(world.expectedFacts(for: "logius.nl")?.dnssec, .insecure)
        XCTAssertEqual(world.expectedFacts(for: "dictu.nl")?.domainKey, .exists)
        XCTAssertEqual(world.expectedFacts(for: "minfin.nl")?.spf, ["V=SPF1 mx -all"])
        let defensie = try XCTUnwrap(world.expectedFacts(for: "defensie.nl"))
        XCTAssertTrue(defensie.nullMX)
        XCTAssertEqual(defensie.mx, [MailExchanger(preference: 0, host: "", dnssec: .insecure)])
        XCTAssertEqual(world.expectedDNSSEC(of: "mail.ncsc.nl"), .bogus)
        XCTAssertEqual(world.expectedDNSSEC(of: "mx1.mailhost.nl"), .insecure)
    }

    func testAddressPlan() {
        XCTAssertEqual(LabAddressPlan.ipv4(.nameserver, 0), "198.18.0.1")
        XCTAssertEqual(LabAddressPlan.ipv4(.web, 255), "198.18.17.0")
        XCTAssertEqual(LabAddressPlan.ipv6(.web, 0), "2001:2:0:80::1")
        XCTAssertEqual(LabAddressPlan.ipv6(.host, 9), "2001:2:0:a::a")
        XCTAssertEqual(LabAddressPlan.rfc5952([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), "2001:db8::1:0:0:1")
        XCTAssertEqual(LabAddressPlan.rfc5952([0, 0, 0, 0, 0, 0, 0, 1]), "::1")
        XCTAssertEqual(LabAddressPlan.rfc5952([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), "2001:db8:0:1:1:1:1:1")
        XCTAssertEqual(LabAddressPlan.linkIPv6(16, coreSide: false), "2001:2:0:110::2")
        for pool in LabAddressPool.allCases {
            XCTAssertTrue(LabAddressPlan.isLabTargetIPv4(LabAddressPlan.ipv4(pool, LabAddressPlan.poolSize - 1)))
            XCTAssertTrue(LabAddressPlan.isLabTargetIPv6(LabAddressPlan.ipv6(pool, LabAddressPlan.poolSize - 1)))
        }
        XCTAssertFalse(LabAddressPlan.isLabTargetIPv4("10.0.0.1"))
        XCTAssertFalse(LabAddressPlan.isLabTargetIPv6("2001:2:0:100::1"))
    }

    func testInvalidWorldsAreRefusedWithEveryProblemNamed() {
        var world = LabWorld.minimal
        world.serverGroups[0].nameservers[0].ipv4 = "10.1.2.3"
        world.zones[0].dnssec = .unsigned
        world.zones.append(LabZone(name: "x.nl", dnssec: .signed, servers: "nobody", records: [.a("y.nl", "198.18.48.1")]))
        XCTAssertThrowsError(try world.validate()) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("10.1.2.3"), text)
            XCTAssertTrue(text.contains("root zone must be signed"), text)
            XCTAssertTrue(text.contains("unknown server group nobody"), text)
            XCTAssertTrue(text.contains("y.nl"), text)
        }
        XCTAssertThrowsError(try LabConfiguration(prefix: "Bad-Prefix").validate())
    }

    func testConfigurationDefaults() throws {
        XCTAssertEqual(LabConfiguration().prefix, "peil")
        XCTAssertEqual(LabConfiguration().stateDirectory.lastPathComponent, "lab")
        XCTAssertEqual(LabConfiguration(prefix: "plt").stateDirectory.lastPathComponent, "lab-plt")
        let lab = Lab(prefix: "plt", stateDirectory: URL(fileURLWithPath: "/tmp/x"))
        XCTAssertEqual(lab.namespaces, ["plt-core", "plt-v4", "plt-v6", "plt-ds", "plt-dns"])
        XCTAssertEqual(lab.vantageNamespace(for: []), "plt-ds")
        XCTAssertEqual(lab.resolverConfigurationFile(for: [.ipv6]).path, "/tmp/x/unbound-v6.conf")
        XCTAssertEqual(lab.trustAnchorFile.path, "/tmp/x/root.key")
        XCTAssertEqual(lab.rootHintsFile.path, "/tmp/x/root.hints")
    }

    func testZoneTextCarriesDelegationsAndGlue() throws {
        let index = WorldIndex(world)
        let signer = ZoneSigner(index: index, paths: LabPaths(URL(fileURLWithPath: "/nonexistent")), now: Date())
        let nl = try XCTUnwrap(index.zone(named: "nl"))
        let text = signer.zoneText(nl, childDS: ["rijksoverheid.nl": ["1 13 2 00"], "logius.nl": ["2 13 2 00"]])
        XCTAssertTrue(text.contains("rijksoverheid.nl.\t300\tIN\tNS\tns1.alfa-dns.nl."))
        XCTAssertTrue(text.contains("ns1.alfa-dns.nl.\t300\tIN\tA\t198.18.0.4"), "glue for the provider zone")
        XCTAssertTrue(text.contains("rijksoverheid.nl.\t300\tIN\tDS\t1 13 2 00"))
        XCTAssertFalse(text.contains("logius.nl.\t300\tIN\tDS"), "no DS for a signed zone delegated without DS")
        XCTAssertTrue(text.contains("ns1.dns.nl.\t300\tIN\tAAAA\t2001:2:0:53::2"), "nl's own nameservers are its data")
        XCTAssertEqual(ZoneSigner.corruptingDigest("1 13 2 ab"), "1 13 2 a0")
    }
}
