import Checks
import PeilModel
@testable import Store
@testable import Verdicts
import XCTest

/// Stored connect tasks that ended without a result (the agent's fence refused a
/// special-purpose address) reach the columns as the reason, and the columns say `error`.
final class UnprobedAddressVerdictsTests: XCTestCase {
    static let refusal = "not_permitted: not probed: 10.1.2.3 is a special-purpose address (RFC 1918 private-use, 10.0.0.0/8)"
    static let metadata = "not_permitted: not probed: 169.254.169.254 is a special-purpose address (RFC 3927 link-local, 169.254.0.0/16)"

    func testAFencedAddressIsAnErrorWithTheAgentsReason() {
        let v6 = "2001:2:0:80::1"
        let facts = DNSFacts(domain: "example.nl", dnssec: .secure, nsZone: "example.nl",
                             nameservers: [HostAddresses(host: "ns1.example.nl", ipv6: ["2001:2::1"]), HostAddresses(host: "ns2.example.nl", ipv6: ["2001:2::2"])],
                             domainAddresses: HostAddresses(host: "example.nl"),
                             web: HostAddresses(host: "www.example.nl", ipv4: ["10.1.2.3"], ipv6: [v6]), webDNSSEC: .secure,
                             mx: [MailExchanger(preference: 10, host: "mx.example.nl", dnssec: .secure, ipv4: ["169.254.169.254"])],
                             nullMX: false, txt: [], spf: [], dmarc: [], domainKey: .exists, caaFoundAt: nil, caa: [], webTLSA: [])
        let refused = WebObservation(tls: TLSScanResult(outcome: .unreachable, detail: "connection refused"), https: nil,
                                     http: HTTPExchange(url: "http://www.example.nl/", status: 200), port80: .open)
        let reach = ReachObservation(ports: [PortProbe(port: 80, state: .open), PortProbe(port: 443, state: .refused)])
        func target(_ address: String, _ host: String = "www.example.nl") -> ConnectTarget {
            ConnectTarget(address: address, family: ConnectTarget.family(of: address), host: host)
        }
        let linked = [
            LinkedConnect(kind: .web, target: target("10.1.2.3"), state: "not_testable", observation: nil, lastError: Self.refusal),
            LinkedConnect(kind: .reach, target: target("10.1.2.3"), state: "not_testable", observation: nil, lastError: Self.refusal),
            LinkedConnect(kind: .web, target: target(v6), state: "done", observation: ConnectObservation(web: refused), lastError: nil),
            LinkedConnect(kind: .reach, target: target(v6), state: "done", observation: ConnectObservation(reach: reach), lastError: nil),
            LinkedConnect(kind: .mail, target: target("169.254.169.254", "mx.example.nl"), state: "not_testable", observation: nil, lastError: Self.metadata),
        ]
        let evidence = DomainVerdicts.evidence(facts, linked)
        XCTAssertEqual(evidence.unprobed["web 10.1.2.3"], Self.refusal)
        XCTAssertEqual(evidence.unprobed["mail 169.254.169.254"], Self.metadata)

        let web = WebColumns.evaluate(evidence, ruleSet: .internetnlCurrent)
        XCTAssertEqual(web["tls_available"]?.status, .error, "a refusal is not a measurement")
        XCTAssertTrue(web["tls_available"]?.because.contains(Self.refusal) == true, web["tls_available"]?.because ?? "")
        let mail = MailServerColumns.evaluate(evidence, ruleSet: .internetnlCurrent) { _, _ in (false, "not used") }
        for column in ["starttls", "starttls_ncsc", "dane"] {
            XCTAssertEqual(mail[column]?.status, .error, column)
            XCTAssertTrue(mail[column]?.because.contains(Self.metadata) == true, "\(column): \(mail[column]?.because ?? "")")
        }
    }
}
