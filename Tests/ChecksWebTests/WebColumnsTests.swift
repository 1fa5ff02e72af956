import Checks
import PeilModel
import PeilTestSupport
import XCTest

/// The 8 web bulk columns from constructed evidence, one cause at a time.
final class WebColumnsTests: XCTestCase {
    static let v4 = "198.18.16.1", v6 = "2001:2:0:80::1"

    static func facts(ipv4: [String] = [v4], ipv6: [String] = [v6], webDNSSEC: DNSSECStatus = .secure,
                      nameservers: [HostAddresses]? = nil) -> DNSFacts {
        DNSFacts(domain: "example.nl", dnssec: .secure, nsZone: "example.nl",
                 nameservers: nameservers ?? [HostAddresses(host: "ns1.dns.nl", ipv4: ["198.18.0.1"], ipv6: ["2001:2::1"]),
                                              HostAddresses(host: "ns2.dns.nl", ipv4: ["198.18.0.2"], ipv6: ["2001:2::2"])],
                 domainAddresses: HostAddresses(host: "example.nl"), web: HostAddresses(host: "www.example.nl", ipv4: ipv4, ipv6: ipv6),
                 webDNSSEC: webDNSSEC, mx: [], nullMX: false, txt: [], spf: [], dmarc: [], domainKey: .exists,
                 caaFoundAt: nil, caa: [], webTLSA: [])
    }

    /// A TLS 1.2 + 1.3 server with good suites, stapling, a trusted EC certificate.
    static func modern() -> TLSObservation { TLSFixtures.modern() }

    static func web(_ observation: TLSObservation = modern(), trusted: Bool = true, hsts: String? = "max-age=31536000",
                    port80: PortProbe.State = .open, redirect: (Int, String?) = (301, "https://www.example.nl/")) -> WebObservation {
        let tls = TLSScanResult(outcome: .completed, observation: observation,
                                certificate: TLSCertificateVerification(trusted: trusted, nameMatches: true), handshakes: 40)
        let https = HTTPExchange(url: "https://www.example.nl/", status: 200,
                                 headers: hsts.map { [HTTPHeaderField(name: "Strict-Transport-Security", value: $0)] } ?? [])
        let http = HTTPExchange(url: "http://www.example.nl/", status: redirect.0,
                                headers: redirect.1.map { [HTTPHeaderField(name: "Location", value: $0)] } ?? [])
        return WebObservation(tls: tls, https: https, http: port80 == .open ? http : nil, port80: port80)
    }

    static let open = ReachObservation(ports: [PortProbe(port: 80, state: .open), PortProbe(port: 443, state: .open)])

    static func evidence(facts: DNSFacts = facts(), web: [String: WebObservation]? = nil, reach: [String: ReachObservation]? = nil,
                         answered: Bool = true) -> DomainEvidence {
        DomainEvidence(facts: facts, reach: reach ?? [v4: open, v6: open],
                    nameservers: ["2001:2::1": NameserverObservation(answered: true, transport: "udp", rcode: "NOERROR"),
                                  "2001:2::2": NameserverObservation(answered: answered, detail: answered ? nil : "timeout")],
                    web: web ?? [v4: Self.web(), v6: Self.web()])
    }

    func columns(_ evidence: DomainEvidence, _ ruleSet: RuleSet = .internetnl2021) -> [String: Status] {
        WebColumns.evaluate(evidence, ruleSet: ruleSet).mapValues(\.status)
    }

    func testAWellConfiguredDomainPassesEveryColumn() {
        let result = WebColumns.evaluate(Self.evidence(), ruleSet: .internetnl2021)
        XCTAssertEqual(Set(result.keys), Set(BulkColumns.web.map(\.name)))
        for (name, column) in result { XCTAssertEqual(column.status, .passed, "\(name): \(column.because)") }
    }

    func testDNSSECOfTheWebHost() {
        XCTAssertEqual(columns(Self.evidence(facts: Self.facts(webDNSSEC: .insecure)))["dnssec"], .failed)
        XCTAssertEqual(columns(Self.evidence(facts: Self.facts(webDNSSEC: .bogus)))["dnssec"], .failed)
        XCTAssertEqual(columns(Self.evidence(facts: Self.facts(webDNSSEC: .error)))["dnssec"], .error,
                       "the web host's lookup timed out or failed: unknown, not failed (as dnssec_mx)")
    }

    /// The IPv6 category is error when a part is error, failed only when a part failed.
    func testIPv6CategoryFromItsParts() {
        var unprobed = Self.evidence()
        unprobed.nameservers["2001:2::2"] = nil
        XCTAssertEqual(columns(unprobed)["ipv6_web"], .error, "a nameserver without a probe result is not a failure")
        var lookupFailed = Self.evidence(facts: Self.facts(ipv6: []), web: [Self.v4: Self.web()])
        lookupFailed.failedLookups = ["www.example.nl AAAA"]
        XCTAssertEqual(columns(lookupFailed)["ipv6_web"], .error, "the web host's AAAA lookup timed out")
        var silentAndUnknown = Self.evidence(facts: Self.facts(ipv6: []), web: [Self.v4: Self.web()], answered: false)
        silentAndUnknown.failedLookups = ["www.example.nl AAAA"]
        XCTAssertEqual(columns(silentAndUnknown)["ipv6_nameserver"], .failed)
        XCTAssertEqual(columns(silentAndUnknown)["ipv6_web"], .error, "any error → error (CHECKS.md), before failed")
        XCTAssertEqual(columns(Self.evidence())["ipv6_web"], .passed)
    }

    func testIPv6Nameservers() {
        XCTAssertEqual(columns(Self.evidence(answered: false))["ipv6_nameserver"], .failed)
        XCTAssertEqual(columns(Self.evidence(answered: false))["ipv6_web"], .failed)
        let oneAAAA = Self.facts(nameservers: [HostAddresses(host: "ns1.dns.nl", ipv4: ["198.18.0.1"], ipv6: ["2001:2::1"]),
                                               HostAddresses(host: "ns2.dns.nl", ipv4: ["198.18.0.2"], ipv6: ["::ffff:198.18.0.2"])])
        XCTAssertEqual(columns(Self.evidence(facts: oneAAAA))["ipv6_nameserver"], .failed, "an IPv4-mapped AAAA is not IPv6")
        var unprobed = Self.evidence()
        unprobed.nameservers["2001:2::2"] = nil
        XCTAssertEqual(columns(unprobed)["ipv6_nameserver"], .error, "a probe without a result is not a failure")
    }

    func testIPv6WebServer() {
        XCTAssertEqual(columns(Self.evidence(facts: Self.facts(ipv6: []), web: [Self.v4: Self.web()]))["ipv6_webserver"], .failed)
        let silent = ReachObservation(ports: [PortProbe(port: 80, state: .timeout), PortProbe(port: 443, state: .timeout)])
        XCTAssertEqual(columns(Self.evidence(reach: [Self.v4: Self.open, Self.v6: silent]))["ipv6_webserver"], .failed)
        let fewer = ReachObservation(ports: [PortProbe(port: 80, state: .refused), PortProbe(port: 443, state: .open)])
        let result = WebColumns.evaluate(Self.evidence(reach: [Self.v4: Self.open, Self.v6: fewer]), ruleSet: .internetnl2021)
        XCTAssertEqual(result["ipv6_webserver"]?.status, .failed)
        XCTAssertTrue(result["ipv6_webserver"]!.because.contains("lacks port 80"), result["ipv6_webserver"]!.because)
        XCTAssertEqual(result["ipv6_web"]?.status, .failed)
    }

    func testAFailedLookupIsUnknownNotAbsent() {
        var evidence = Self.evidence(facts: Self.facts(ipv6: []), web: [Self.v4: Self.web()])
        XCTAssertEqual(columns(evidence)["ipv6_webserver"], .failed, "no AAAA")
        evidence.failedLookups = ["www.example.nl AAAA"]
        XCTAssertEqual(columns(evidence)["ipv6_webserver"], .error, "the AAAA lookup timed out: unknown, not failed")
        var nameservers = Self.evidence(facts: Self.facts(nameservers: [HostAddresses(host: "ns1.dns.nl", ipv4: ["198.18.0.1"], ipv6: ["2001:2::1"]),
                                                                        HostAddresses(host: "ns2.dns.nl", ipv4: ["198.18.0.2"])]))
        XCTAssertEqual(columns(nameservers)["ipv6_nameserver"], .failed)
        nameservers.failedLookups = DomainEvidence.failedLookups([DNSQueryRecord(name: "ns2.dns.nl", type: "AAAA", rcode: "TIMEOUT", dnssec: .error, records: [])])
        XCTAssertEqual(columns(nameservers)["ipv6_nameserver"], .error)
    }

    /// An NS lookup that failed on the climb leaves the NS set unknown (a delegation there would
    /// have been missed): `error`, not the parent zone's servers judged nor "no nameservers".
    func testAFailedNSLookupOnTheClimbLeavesTheNameserversUnknown() {
        var www = Self.evidence()
        www.failedLookups = ["www.example.nl NS"]
        XCTAssertEqual(columns(www)["ipv6_nameserver"], .error, "whether www is delegated is unknown")
        XCTAssertEqual(columns(www)["ipv6_web"], .error)
        var above = Self.evidence()
        above.failedLookups = ["example.nl NS", "nl NS"]
        XCTAssertEqual(columns(above)["ipv6_nameserver"], .passed, "failures above the zone found do not matter")
        var none = Self.evidence(facts: DNSFacts(domain: "example.nl", dnssec: .secure, nsZone: nil, nameservers: [],
                                                 domainAddresses: HostAddresses(host: "example.nl"),
                                                 web: HostAddresses(host: "www.example.nl", ipv4: [Self.v4], ipv6: [Self.v6]),
                                                 webDNSSEC: .secure, mx: [], nullMX: false, txt: [], spf: [], dmarc: [], domainKey: .exists,
                                                 caaFoundAt: nil, caa: [], webTLSA: []))
        XCTAssertEqual(columns(none)["ipv6_nameserver"], .failed, "no nameservers, every lookup answered")
        none.failedLookups = ["example.nl NS"]
        let cell = WebColumns.evaluate(none, ruleSet: .internetnl2021)["ipv6_nameserver"]
        XCTAssertEqual(cell?.status, .error)
        XCTAssertEqual(cell?.because, "the NS lookup of example.nl failed: whose nameservers to judge is unknown")
    }

    /// A failed A (or AAAA) lookup of the web host: an address may be missing, so every column
    /// judged over all addresses is unknown.
    func testAFailedAddressLookupLeavesTheHTTPSColumnsUnknown() {
        var evidence = Self.evidence(facts: Self.facts(ipv4: []), web: [Self.v6: Self.web()], reach: [Self.v6: Self.open])
        for name in ["tls_available", "tls_ncsc", "https_redirect", "hsts", "ipv6_webserver"] {
            XCTAssertEqual(columns(evidence)[name], .passed, "only IPv6, every lookup answered: \(name)")
        }
        evidence.failedLookups = ["www.example.nl A"]
        for name in ["tls_available", "tls_ncsc", "https_redirect", "hsts", "ipv6_webserver"] {
            XCTAssertEqual(columns(evidence)[name], .error, name)
        }
        XCTAssertEqual(WebColumns.evaluate(evidence, ruleSet: .internetnl2021)["hsts"]?.because,
                       "the A lookup of www.example.nl failed: not every address is known")
    }

    func testHTTPSNotAvailable() {
        let refused = TLSScanResult(outcome: .unreachable, detail: "connection refused")
        let closed = WebObservation(tls: refused, https: nil, http: HTTPExchange(url: "http://www.example.nl/", status: 200), port80: .open)
        let reach443Refused = ReachObservation(ports: [PortProbe(port: 80, state: .open), PortProbe(port: 443, state: .refused)])
        let httpOnly = columns(Self.evidence(web: [Self.v4: closed, Self.v6: closed], reach: [Self.v4: reach443Refused, Self.v6: reach443Refused]))
        XCTAssertEqual(httpOnly["tls_available"], .failed)
        XCTAssertEqual(httpOnly["https_redirect"], .failed)
        XCTAssertEqual(httpOnly["tls_ncsc"], .notTested)
        XCTAssertEqual(httpOnly["hsts"], .notTested)

        let silentTLS = WebObservation(tls: TLSScanResult(outcome: .unreachable, detail: "connect timeout"), https: nil, http: nil, port80: .timeout)
        let silent = ReachObservation(ports: [PortProbe(port: 80, state: .timeout), PortProbe(port: 443, state: .timeout)])
        let timedOut = columns(Self.evidence(web: [Self.v4: silentTLS, Self.v6: silentTLS], reach: [Self.v4: silent, Self.v6: silent]))
        for column in ["tls_available", "tls_ncsc", "https_redirect", "hsts"] {
            XCTAssertEqual(timedOut[column], .error, "\(column): a silent server is not a failed standard")
        }
        XCTAssertEqual(columns(Self.evidence(web: [:]))["tls_available"], .error, "no web probe result")

        // Refused over IPv4, silent over IPv6: HTTP only (the silence is the IPv6 test's business).
        let mixed = columns(Self.evidence(web: [Self.v4: closed, Self.v6: silentTLS], reach: [Self.v4: reach443Refused, Self.v6: silent]))
        XCTAssertEqual(mixed["tls_available"], .failed)
        XCTAssertEqual(mixed["hsts"], .notTested)
    }

    func testHTTPSOnOneFamilyIsEnoughForHTTPS() {
        let silentTLS = WebObservation(tls: TLSScanResult(outcome: .unreachable, detail: "connect timeout"), https: nil, http: nil, port80: .timeout)
        let result = columns(Self.evidence(web: [Self.v4: Self.web(), Self.v6: silentTLS]))
        XCTAssertEqual(result["tls_available"], .passed)
        XCTAssertEqual(result["hsts"], .passed)
    }

    func testRedirects() {
        func redirect(_ status: Int, _ location: String?, port80: PortProbe.State = .open) -> Status? {
            columns(Self.evidence(web: [Self.v4: Self.web(port80: port80, redirect: (status, location))]))["https_redirect"]
        }
        XCTAssertEqual(redirect(301, "https://www.example.nl/"), .passed)
        XCTAssertEqual(redirect(302, "https://WWW.Example.NL:443/start?x=1"), .passed)
        XCTAssertEqual(redirect(301, "https://portaal.www.example.nl/"), .failed, "first hop to another host")
        XCTAssertEqual(redirect(302, "http://portaal.www.example.nl/"), .failed)
        XCTAssertEqual(redirect(301, "/secure"), .failed, "a relative redirect stays on HTTP")
        XCTAssertEqual(redirect(200, nil), .failed)
        XCTAssertEqual(redirect(200, nil, port80: .refused), .passed, "no HTTP: nothing to redirect")
        var noAnswer = Self.web()
        noAnswer.http = HTTPExchange(url: "http://www.example.nl/", error: "timeout")
        XCTAssertEqual(columns(Self.evidence(web: [Self.v4: noAnswer]))["https_redirect"], .error, "port 80 open but no HTTP answer: unknown")
        // The worst over addresses: one address without a redirect fails the column.
        let mixed = columns(Self.evidence(web: [Self.v4: Self.web(), Self.v6: Self.web(redirect: (200, nil))]))
        XCTAssertEqual(mixed["https_redirect"], .failed)
    }

    func testHSTS() {
        XCTAssertEqual(columns(Self.evidence(web: [Self.v4: Self.web(hsts: nil)]))["hsts"], .failed)
        XCTAssertEqual(columns(Self.evidence(web: [Self.v4: Self.web(hsts: "max-age=15768000")]))["hsts"], .failed)
        XCTAssertEqual(columns(Self.evidence(web: [Self.v4: Self.web(hsts: "max-age=63072000; includeSubDomains")]))["hsts"], .passed)
        XCTAssertEqual(columns(Self.evidence(web: [Self.v4: Self.web(hsts: "maxage=63072000")]))["hsts"], .failed)
    }

    func testTLSColumnTakesTheWorstSubtest() {
        var noStapling = Self.modern()
        noStapling.ocspStapling = .notStapled
        XCTAssertEqual(columns(Self.evidence(web: [Self.v4: Self.web(noStapling)]))["tls_ncsc"], .info)
        var renegotiates = Self.modern()
        renegotiates.clientRenegotiations = 11
        XCTAssertEqual(columns(Self.evidence(web: [Self.v4: Self.web(renegotiates)]))["tls_ncsc"], .info)
        var legacy = Self.modern()
        legacy.versions = [.tls10, .tls11, .tls12, .tls13]
        XCTAssertEqual(columns(Self.evidence(web: [Self.v4: Self.web(legacy)]))["tls_ncsc"], .warning, "TLS 1.0/1.1 were phase-out in 2021")
        XCTAssertEqual(columns(Self.evidence(web: [Self.v4: Self.web(legacy)]), .internetnlCurrent)["tls_ncsc"], .failed, "and are insufficient now")
        var rsaKex = Self.modern()
        rsaKex.ciphers[1].ciphers.append(0x009D)  // TLS_RSA_WITH_AES_256_GCM_SHA384
        XCTAssertEqual(columns(Self.evidence(web: [Self.v4: Self.web(rsaKex)]))["tls_ncsc"], .warning, "RSA key exchange was phase-out under NCSC 2.1")
        XCTAssertEqual(columns(Self.evidence(web: [Self.v4: Self.web(rsaKex)]), .internetnlCurrent)["tls_ncsc"], .failed)
        XCTAssertEqual(columns(Self.evidence(web: [Self.v4: Self.web(trusted: false)]))["tls_ncsc"], .failed, "an untrusted chain fails HTTPS")
        var unverified = Self.web()
        unverified.tls.certificate = nil
        XCTAssertEqual(columns(Self.evidence(web: [Self.v4: unverified]))["tls_ncsc"], .passed, "a chain that could not be verified is not a failed one")
        var noRenegotiationInfo = Self.modern()
        noRenegotiationInfo.secureRenegotiation = false
        XCTAssertEqual(columns(Self.evidence(web: [Self.v4: Self.web(noRenegotiationInfo)]))["tls_ncsc"], .failed)
    }
}
