import PeilModel
import XCTest

/// The planner's target policy: `lab` plans every address (the agents' fence decides), `public`
/// leaves special-purpose addresses out before the caps count and names each.
final class ConnectPlannerTargetsTests: XCTestCase {
    func facts(web: HostAddresses, nameservers: [HostAddresses] = [], mx: [MailExchanger] = []) -> DNSFacts {
        DNSFacts(domain: "example.nl", dnssec: .secure, nsZone: "example.nl", nameservers: nameservers,
                 domainAddresses: HostAddresses(host: "example.nl"), web: web, webDNSSEC: .secure, mx: mx, nullMX: false,
                 txt: [], spf: [], dmarc: [], domainKey: .exists, caaFoundAt: nil, caa: [], webTLSA: [])
    }

    /// The zoo case: www and MX at 127.0.0.1, 10/8, 169.254.169.254, ::1 and fc00::/7, with one
    /// public address beside them.
    var hostile: DNSFacts {
        facts(web: HostAddresses(host: "www.example.nl", ipv4: ["127.0.0.1", "10.1.2.3", "93.184.216.34"], ipv6: ["::1", "fd00::1"]),
              nameservers: [HostAddresses(host: "ns1.example.nl", ipv6: ["fe80::53", "2a00:1450::53"])],
              mx: [MailExchanger(preference: 10, host: "mx.example.nl", dnssec: .secure, ipv4: ["169.254.169.254"], ipv6: ["fc00::25"])])
    }

    func testLabPlansEveryAddress() {
        let plan = ConnectPlanner.planned(hostile, targets: .lab)
        XCTAssertEqual(plan.capped, [])
        XCTAssertEqual(Set(plan.tasks.filter { $0.kind == .reach }.map(\.target.address)), ["127.0.0.1", "10.1.2.3", "93.184.216.34", "::1", "fd00::1"])
        XCTAssertEqual(ConnectPlanner.plan(hostile), plan.tasks, "lab is the default")
    }

    func testPublicLeavesSpecialPurposeAddressesOutAndNamesThem() {
        let plan = ConnectPlanner.planned(hostile, targets: .public)
        XCTAssertEqual(plan.tasks.map { "\($0.kind.rawValue) \($0.target.address)" },
                       ["reach 93.184.216.34", "nameserver 2a00:1450::53"])
        XCTAssertEqual(plan.capped, [
            "web host www.example.nl: not probed: 10.1.2.3 is a special-purpose address (RFC 1918 private-use, 10.0.0.0/8)",
            "web host www.example.nl: not probed: 127.0.0.1 is a special-purpose address (RFC 1122 loopback, 127.0.0.0/8)",
            "web host www.example.nl: not probed: ::1 is a special-purpose address (RFC 4291 loopback, ::1/128)",
            "web host www.example.nl: not probed: fd00::1 is a special-purpose address (RFC 4193 unique-local, fc00::/7)",
            "nameserver ns1.example.nl: not probed: fe80::53 is a special-purpose address (RFC 4291 link-local, fe80::/10)",
            "MX host mx.example.nl: not probed: 169.254.169.254 is a special-purpose address (RFC 3927 link-local, 169.254.0.0/16)",
            "MX host mx.example.nl: not probed: fc00::25 is a special-purpose address (RFC 4193 unique-local, fc00::/7)",
        ])
        XCTAssertFalse(plan.tasks.contains { $0.kind == .web }, "the web address of each family (first in text order) is special-purpose: no web task")
    }

    /// The web address stays the first in text order (the verdicts pick the same one): a
    /// public one is scanned, a special-purpose one leaves its family without a web task.
    func testTheWebAddressIsTheFirstInTextOrderEitherWay() {
        let first = ConnectPlanner.planned(facts(web: HostAddresses(host: "www.example.nl", ipv4: ["1.1.1.1", "10.0.0.1"])), targets: .public)
        XCTAssertEqual(first.tasks.filter { $0.kind == .web }.map(\.target.address), ["1.1.1.1"])
        XCTAssertEqual(first.capped, ["web host www.example.nl: not probed: 10.0.0.1 is a special-purpose address (RFC 1918 private-use, 10.0.0.0/8)"])
        let second = ConnectPlanner.planned(facts(web: HostAddresses(host: "www.example.nl", ipv4: ["93.184.216.34", "198.18.0.1"])), targets: .public)
        XCTAssertEqual(second.tasks.map { "\($0.kind.rawValue) \($0.target.address)" }, ["reach 93.184.216.34"])
    }

    func testRefusedAddressesDoNotCountAgainstTheCap() {
        let special = (1...20).map { "10.0.0.\($0)" }
        let public16 = (1...16).map { "93.184.216.\($0)" }
        let plan = ConnectPlanner.planned(facts(web: HostAddresses(host: "www.example.nl", ipv4: special + public16)), targets: .public)
        XCTAssertEqual(Set(plan.tasks.filter { $0.kind == .reach }.map(\.target.address)), Set(public16))
        XCTAssertEqual(plan.capped.count, 20)
        XCTAssertFalse(plan.capped.contains { $0.contains("first 16 planned") })
    }
}
