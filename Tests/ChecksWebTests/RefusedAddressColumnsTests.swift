import Checks
import PeilModel
import XCTest

/// A web address that was not probed (an agent's fence refused a special-purpose address, or
/// the plan left it out) is not a measurement: `tls_available` is `error`, naming why, never
/// `failed` — even when the other family's address refused port 443.
final class RefusedAddressColumnsTests: XCTestCase {
    static let refusedV4 = "10.1.2.3", v6 = "2001:2:0:80::1"
    static let refusal = "not_permitted: not probed: 10.1.2.3 is a special-purpose address (RFC 1918 private-use, 10.0.0.0/8)"

    static let closed = WebObservation(tls: TLSScanResult(outcome: .unreachable, detail: "connection refused"), https: nil,
                                       http: HTTPExchange(url: "http://www.example.nl/", status: 200), port80: .open)
    static let reach443Refused = ReachObservation(ports: [PortProbe(port: 80, state: .open), PortProbe(port: 443, state: .refused)])

    static func evidence(ipv4: [String] = [refusedV4]) -> DomainEvidence {
        let facts = WebColumnsTests.facts(ipv4: ipv4, ipv6: [v6])
        return DomainEvidence(facts: facts, reach: [v6: reach443Refused], web: [v6: closed])
    }

    /// Before the fix this was `failed` ("HTTP only"): the refused IPv4 address counted as if
    /// it had been measured and lacked TLS.
    func testAnUnprobedAddressBesideARefusalIsAnErrorNotAFailure() {
        let columns = WebColumns.evaluate(Self.evidence(), ruleSet: .internetnlCurrent)
        XCTAssertEqual(columns["tls_available"]?.status, .error, columns["tls_available"]?.because ?? "")
        XCTAssertEqual(columns["https_redirect"]?.status, .error)
        XCTAssertEqual(columns["hsts"]?.status, .error)
    }

    /// The agent's refusal (the task's last error) is the reason the verdict gives.
    func testTheVerdictSaysWhyTheAddressWasNotProbed() {
        var evidence = Self.evidence()
        evidence.unprobed = ["web \(Self.refusedV4)": Self.refusal, "reach \(Self.refusedV4)": Self.refusal]
        let columns = WebColumns.evaluate(evidence, ruleSet: .internetnlCurrent)
        let because = columns["tls_available"]?.because ?? ""
        XCTAssertEqual(columns["tls_available"]?.status, .error)
        XCTAssertTrue(because.contains("10.1.2.3: no web probe result (\(Self.refusal))"), because)
        XCTAssertTrue(because.contains("\(Self.v6): TLS unreachable"), because)
    }

    /// Without a task at all (a coordinator with `--targets public` left it out), the verdict
    /// names the special-purpose block from the same table.
    func testAnAddressLeftOutOfThePlanIsNamed() {
        let columns = WebColumns.evaluate(Self.evidence(), ruleSet: .internetnlCurrent)
        let because = columns["tls_available"]?.because ?? ""
        XCTAssertTrue(because.contains("not probed: 10.1.2.3 is a special-purpose address (RFC 1918 private-use, 10.0.0.0/8)"), because)
    }

    /// Every address refused and nothing measured: error everywhere, with the reason.
    func testOnlySpecialPurposeAddressesGiveErrors() {
        let facts = WebColumnsTests.facts(ipv4: ["127.0.0.1"], ipv6: ["::1"])
        let columns = WebColumns.evaluate(DomainEvidence(facts: facts), ruleSet: .internetnlCurrent)
        for name in ["tls_available", "tls_ncsc", "https_redirect", "hsts", "ipv6_webserver"] {
            XCTAssertEqual(columns[name]?.status, .error, "\(name): \(columns[name]?.because ?? "")")
        }
        XCTAssertTrue(columns["tls_available"]?.because.contains("::1 is a special-purpose address (RFC 4291 loopback") == true)
        XCTAssertTrue(columns["ipv6_webserver"]?.because.contains("::1 is a special-purpose address") == true)
    }

    /// A measured refusal on every probed address is still HTTP only (failed): nothing changed there.
    func testRefusalsEverywhereAreStillHTTPOnly() {
        let facts = WebColumnsTests.facts(ipv4: ["198.18.16.1"], ipv6: [Self.v6])
        let evidence = DomainEvidence(facts: facts, reach: ["198.18.16.1": Self.reach443Refused, Self.v6: Self.reach443Refused],
                                      web: ["198.18.16.1": Self.closed, Self.v6: Self.closed])
        XCTAssertEqual(WebColumns.evaluate(evidence, ruleSet: .internetnlCurrent)["tls_available"]?.status, .failed)
    }
}
