import Checks
import PeilModel
import XCTest

/// The mail-server columns from constructed evidence, one cause at a time.
final class MailServerColumnsTests: XCTestCase {
    static let mx4 = "198.18.32.1", mx6 = "2001:2:0:25::1"

    static func facts(mx: [MailExchanger]? = nil, nullMX: Bool = false, apex: [String] = []) -> DNSFacts {
        DNSFacts(domain: "example.nl", dnssec: .secure, nsZone: "example.nl",
                 nameservers: [HostAddresses(host: "ns1.dns.nl", ipv4: ["198.18.0.1"], ipv6: ["2001:2::1"]),
                               HostAddresses(host: "ns2.dns.nl", ipv4: ["198.18.0.2"], ipv6: ["2001:2::2"])],
                 domainAddresses: HostAddresses(host: "example.nl", ipv4: apex), web: HostAddresses(host: "www.example.nl"),
                 webDNSSEC: .secure,
                 mx: mx ?? [MailExchanger(preference: 10, host: "mx.example.nl", dnssec: .secure, ipv4: [mx4], ipv6: [mx6], tlsa: ["3 1 1 aa"])],
                 nullMX: nullMX, txt: [], spf: [], dmarc: [], domainKey: .exists, caaFoundAt: nil, caa: [], webTLSA: [])
    }

    /// TLS 1.2 and 1.3 with good suites and groups, an EC certificate (no OCSP: not tested for mail).
    static let modernMailTLS = TLSObservation(
        versions: [.tls12, .tls13],
        ciphers: [TLSVersionCiphers(version: .tls13, ciphers: [0x1301, 0x1302]), TLSVersionCiphers(version: .tls12, ciphers: [0xC02B, 0xC02C])],
        keyExchanges: [.ecdhe(group: 29)], sha2OnlyTLS12Probe: .signedWithOffered, sha2OnlyTLS13Probe: .signedWithOffered,
        compression: false, secureRenegotiation: true, clientRenegotiations: 0, extendedMasterSecret: true,
        chain: [TLSCertificateFacts(commonName: "mx.example.nl", keyType: .ec, keyBits: 256, curve: "prime256v1", signatureAlgorithm: "ecdsa-with-SHA256")])

    static func scan(_ outcome: TLSScanResult.Outcome = .completed, trusted: Bool = true, versions: [TLSVersion] = [.tls12, .tls13]) -> MailServerObservation {
        var observation = modernMailTLS
        observation.versions = versions
        return MailServerObservation(tls: TLSScanResult(
            outcome: outcome, detail: outcome == .completed ? nil : "\(outcome.rawValue) detail",
            observation: outcome == .completed ? observation : nil,
            certificate: outcome == .completed ? TLSCertificateVerification(trusted: trusted, nameMatches: trusted, chainDER: ["AAAA"]) : nil))
    }

    static func evidence(_ facts: DNSFacts = facts(), mail: [String: MailServerObservation]? = nil) -> DomainEvidence {
        DomainEvidence(facts: facts, nameservers: ["2001:2::1": NameserverObservation(answered: true), "2001:2::2": NameserverObservation(answered: true)],
                       mail: mail ?? [mx4: scan(), mx6: scan()])
    }

    func columns(_ evidence: DomainEvidence, _ ruleSet: RuleSet = .internetnl2021, daneValid: Bool = true) -> [String: Status] {
        MailServerColumns.evaluate(evidence, ruleSet: ruleSet) { _, chain in (daneValid && !chain.isEmpty, "judged") }.mapValues(\.status)
    }

    func testAWellRunMailServerPassesEveryColumn() {
        let result = columns(Self.evidence())
        XCTAssertEqual(Set(result.keys), Set(MailServerColumns.names))
        XCTAssertEqual(Set(result.values), [.passed], "\(result)")
    }

    func testMXDiscovery() {
        XCTAssertEqual(columns(Self.evidence(Self.facts(mx: [MailExchanger(preference: 0, host: "", dnssec: .secure)], nullMX: true)))["starttls"], .notTested)
        XCTAssertEqual(columns(Self.evidence(Self.facts(mx: [], apex: ["198.18.48.1"])))["starttls"], .info)
        XCTAssertEqual(columns(Self.evidence(Self.facts(mx: [])))["starttls"], .notTested)
        XCTAssertEqual(columns(Self.evidence(Self.facts(mx: [])), .internetnlCurrent)["starttls"], .noMX)
        let mixed = columns(Self.evidence(Self.facts(mx: [MailExchanger(preference: 0, host: "", dnssec: .secure),
                                                        MailExchanger(preference: 10, host: "mx.example.nl", dnssec: .secure, ipv4: [Self.mx4])])))
        XCTAssertEqual(mixed["starttls"], .warning)
        XCTAssertEqual(mixed["dane"], .info)
    }

    func testSilentServerIsUnreachableNeverFailed() {
        let silent = columns(Self.evidence(mail: [Self.mx4: Self.scan(.unreachable), Self.mx6: Self.scan(.unreachable)]))
        for column in ["starttls", "starttls_ncsc", "dane"] { XCTAssertEqual(silent[column], .unreachable, column) }
        XCTAssertEqual(silent["ipv6_mailserver"], .failed, "port 25 does not answer over IPv6")
        let onlyIPv6Silent = columns(Self.evidence(mail: [Self.mx4: Self.scan(), Self.mx6: Self.scan(.unreachable)]))
        XCTAssertEqual(onlyIPv6Silent["starttls"], .passed, "judged on the address that answered")
        XCTAssertEqual(onlyIPv6Silent["ipv6_mailserver"], .failed)
        XCTAssertEqual(onlyIPv6Silent["ipv6_mail"], .failed)
        XCTAssertEqual(columns(Self.evidence(mail: [Self.mx4: Self.scan(.inconclusive), Self.mx6: Self.scan()]))["starttls"], .error)
        XCTAssertEqual(columns(Self.evidence(mail: [Self.mx4: Self.scan()]))["starttls"], .error, "an address without a probe result")
    }

    func testNoSTARTTLSFails() {
        let plain = columns(Self.evidence(mail: [Self.mx4: Self.scan(.noStartTLS), Self.mx6: Self.scan(.noStartTLS)]))
        XCTAssertEqual(plain["starttls"], .failed)
        XCTAssertEqual(plain["starttls_ncsc"], .failed)
        XCTAssertEqual(plain["dane"], .failed, "no certificate to match")
    }

    func testMailTLSJudgesCertificatesAsInformational() {
        let untrusted = columns(Self.evidence(mail: [Self.mx4: Self.scan(trusted: false), Self.mx6: Self.scan(trusted: false)]))
        XCTAssertEqual(untrusted["starttls_ncsc"], .info)
        XCTAssertEqual(columns(Self.evidence(mail: [Self.mx4: Self.scan(versions: [.tls10, .tls12]), Self.mx6: Self.scan()]))["starttls_ncsc"], .warning)
    }

    func testDANE() {
        XCTAssertEqual(columns(Self.evidence(), daneValid: false)["dane"], .failed)
        let noTLSA = Self.facts(mx: [MailExchanger(preference: 10, host: "mx.example.nl", dnssec: .secure, ipv4: [Self.mx4], ipv6: [Self.mx6])])
        XCTAssertEqual(columns(Self.evidence(noTLSA))["dane"], .failed)
        let insecure = Self.facts(mx: [MailExchanger(preference: 10, host: "mx.example.nl", dnssec: .insecure, ipv4: [Self.mx4], ipv6: [Self.mx6], tlsa: ["3 1 1 aa"])])
        XCTAssertEqual(columns(Self.evidence(insecure))["dane"], .failed, "TLSA in an insecure zone")
        var lookupFailed = Self.evidence(noTLSA)
        lookupFailed.failedLookups = ["_25._tcp.mx.example.nl TLSA"]
        XCTAssertEqual(columns(lookupFailed)["dane"], .error, "a failed TLSA lookup is not a missing TLSA")
    }

    /// No MX because the MX lookup failed is unknown: every server column is an error, and so
    /// is the IPv6 category (not "nameservers and mail servers" from a not_tested half).
    func testAFailedMXLookupIsNotNoMX() {
        let none = Self.facts(mx: [])
        XCTAssertEqual(columns(Self.evidence(none, mail: [:]))["starttls"], .notTested, "no MX and no address")
        var failed = Self.evidence(none, mail: [:])
        failed.failedLookups = ["example.nl MX"]
        for name in ["starttls", "starttls_ncsc", "dane", "ipv6_mailserver", "ipv6_mail"] {
            XCTAssertEqual(columns(failed)[name], .error, name)
        }
    }

    /// The mail test's NS set is climbed from the domain; a failed NS lookup at the domain
    /// leaves it unknown, whatever was found above.
    func testAFailedNSLookupLeavesTheNameserversUnknown() {
        var parent = Self.facts()
        parent.nsZone = "nl"
        var failed = Self.evidence(parent)
        XCTAssertEqual(columns(failed)["ipv6_nameserver"], .passed, "found at the parent, every lookup answered")
        failed.failedLookups = ["example.nl NS"]
        XCTAssertEqual(columns(failed)["ipv6_nameserver"], .error)
        XCTAssertEqual(columns(failed)["ipv6_mail"], .error)
    }

    func testIPv6MailServers() {
        let noAAAA = Self.facts(mx: [MailExchanger(preference: 10, host: "mx.example.nl", dnssec: .secure, ipv4: [Self.mx4], tlsa: ["3 1 1 aa"])])
        XCTAssertEqual(columns(Self.evidence(noAAAA, mail: [Self.mx4: Self.scan()]))["ipv6_mailserver"], .failed)
        var lookupFailed = Self.evidence(noAAAA, mail: [Self.mx4: Self.scan()])
        lookupFailed.failedLookups = ["mx.example.nl AAAA"]
        XCTAssertEqual(columns(lookupFailed)["ipv6_mailserver"], .error, "a failed lookup is not a missing AAAA")
    }
}
