import PeilModel
import XCTest

/// The planner's caps: a hostile zone's facts cannot become thousands of connect tasks, and
/// every cut is named.
final class ConnectPlannerCapsTests: XCTestCase {
    func facts(web: HostAddresses, nameservers: [HostAddresses] = [], mx: [MailExchanger] = []) -> DNSFacts {
        DNSFacts(domain: "example.nl", dnssec: .secure, nsZone: "example.nl", nameservers: nameservers,
                 domainAddresses: HostAddresses(host: "example.nl"), web: web, webDNSSEC: .secure, mx: mx, nullMX: false,
                 txt: [], spf: [], dmarc: [], domainKey: .exists, caaFoundAt: nil, caa: [], webTLSA: [])
    }

    static func ipv4(_ count: Int, third: Int = 16) -> [String] {
        (0..<count).map { "198.18.\(third + $0 / 250).\($0 % 250 + 1)" }
    }

    func testThreeThousandWebAddressesBecomeSixteenReachTasks() {
        let plan = ConnectPlanner.planned(facts(web: HostAddresses(host: "www.example.nl", ipv4: Self.ipv4(3_000))))
        let reach = plan.tasks.filter { $0.kind == .reach }
        XCTAssertEqual(reach.count, ConnectPlanner.maxAddressesPerFamily)
        XCTAssertEqual(reach.map(\.target.address), Array(Self.ipv4(3_000).sorted().prefix(16)), "the first in text order")
        XCTAssertEqual(plan.tasks.filter { $0.kind == .web }.map(\.target.address), [reach[0].target.address],
                       "the web probe's address is among the planned ones")
        XCTAssertEqual(plan.capped, ["web host www.example.nl: 3000 IPv4 addresses, first 16 planned"])
    }

    func testFiveHundredNameserversAreCappedByHostAndNamed() {
        let servers = (0..<500).map { HostAddresses(host: "ns\($0).example.nl", ipv6: ["2001:2:0:53::\(String($0, radix: 16))"]) }
        let plan = ConnectPlanner.planned(facts(web: HostAddresses(host: "www.example.nl"), nameservers: servers))
        XCTAssertEqual(plan.tasks.filter { $0.kind == .nameserver }.count, ConnectPlanner.maxNameserverHosts)
        XCTAssertEqual(plan.capped, ["500 nameserver hosts, first 16 planned"])
    }

    func testMailHostsAddressesAndTheDomainTotalAreCapped() {
        let exchangers = (0..<12).map { index in
            MailExchanger(preference: index, host: "mx\(index).example.nl", dnssec: .secure,
                          ipv4: Self.ipv4(20, third: 32 + index), ipv6: [])
        }
        let plan = ConnectPlanner.planned(facts(web: HostAddresses(host: "www.example.nl", ipv4: ["198.18.16.1"]), mx: exchangers))
        XCTAssertEqual(plan.tasks.count, ConnectPlanner.maxTasksPerDomain)
        XCTAssertEqual(Set(plan.tasks.filter { $0.kind == .mail }.map(\.target.host)).count, 8, "the total cap bites within the tenth host's addresses")
        XCTAssertTrue(plan.capped.contains("12 MX hosts, first 10 planned"))
        XCTAssertTrue(plan.capped.contains("MX host mx0.example.nl: 20 IPv4 addresses, first 16 planned"))
        XCTAssertEqual(plan.capped.last, "162 connect tasks, first 128 planned")
        XCTAssertEqual(plan.tasks.first?.kind, .reach, "reach and web come before the cut")
    }

    func testAnOrdinaryDomainIsNotCapped() {
        let plan = ConnectPlanner.planned(facts(web: HostAddresses(host: "www.example.nl", ipv4: ["198.18.16.1"], ipv6: ["2001:2:0:80::1"]),
                                                nameservers: [HostAddresses(host: "ns1.example.nl", ipv6: ["2001:2::1"])]))
        XCTAssertEqual(plan.capped, [])
        XCTAssertEqual(plan.tasks, ConnectPlanner.plan(facts(web: HostAddresses(host: "www.example.nl", ipv4: ["198.18.16.1"], ipv6: ["2001:2:0:80::1"]),
                                                             nameservers: [HostAddresses(host: "ns1.example.nl", ipv6: ["2001:2::1"])])))
    }
}
