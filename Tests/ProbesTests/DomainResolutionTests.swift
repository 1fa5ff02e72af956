import Foundation
import PeilModel
import Testing
@testable import Probes

@Suite("Resolution procedure and facts")
struct DomainResolutionTests {
    /// A signed domain with two provider nameservers, two MX, SPF, DMARC, DKIM, CAA at the apex.
    static let example: [DNSQueryRecord] = [
        rr("example.nl", "SOA", ["ns1.provider.nl hostmaster.example.nl 1 3600 900 604800 300"]),
        rr("example.nl", "NS", ["ns1.provider.nl", "ns2.provider.nl"]),
        rr("ns1.provider.nl", "A", ["198.18.0.1"]), rr("ns1.provider.nl", "AAAA", ["2001:2:0:53::1"]),
        rr("ns2.provider.nl", "A", ["198.18.0.2"]), rr("ns2.provider.nl", "AAAA", []),
        rr("example.nl", "A", ["198.18.48.1"]), rr("example.nl", "AAAA", []),
        rr("www.example.nl", "A", ["198.18.16.1"]), rr("www.example.nl", "AAAA", ["2001:2:0:80::1"]),
        rr("example.nl", "MX", ["10 mx1.provider.nl", "20 mx2.provider.nl"]),
        rr("mx1.provider.nl", "A", ["198.18.32.1"]), rr("mx1.provider.nl", "AAAA", ["2001:2:0:25::1"]),
        rr("_25._tcp.mx1.provider.nl", "TLSA", ["3 1 1 abcd"]),
        rr("mx2.provider.nl", "A", ["198.18.32.2"], .insecure), rr("mx2.provider.nl", "AAAA", [], .insecure),
        rr("_25._tcp.mx2.provider.nl", "TLSA", [], rcode: "NXDOMAIN", .insecure),
        // CAA climbing from each MX host: mx1 finds its provider's set, mx2 has its own.
        rr("mx1.provider.nl", "CAA", []), rr("provider.nl", "CAA", ["0 issue \"ca.lab\""]),
        rr("mx2.provider.nl", "CAA", ["0 issuewild \";\""], .insecure),
        // NS climbing from each MX host: both find provider.nl (asked once), whose nameservers
        // are the domain's too.
        rr("mx1.provider.nl", "NS", []), rr("mx2.provider.nl", "NS", [], .insecure),
        rr("provider.nl", "NS", ["ns1.provider.nl", "ns2.provider.nl"]),
        rr("example.nl", "TXT", ["v=spf1 mx -all", "site-verification=1"]),
        rr("_dmarc.example.nl", "TXT", ["v=DMARC1; p=reject"]),
        rr("_domainkey.example.nl", "TXT", []),
        rr("_smtp._tls.example.nl", "TXT", ["v=TLSRPTv1; rua=mailto:tlsrpt@example.nl"]),
        rr("www.example.nl", "CAA", []),
        rr("www.example.nl", "NS", []),  // the web test's climb: not delegated, so it goes on to example.nl
        rr("example.nl", "CAA", ["0 issue \"ca.lab\""]),
        rr("_443._tcp.www.example.nl", "TLSA", ["3 1 1 ef01"]),
    ]

    @Test func asksEveryQuestionOnceAndDerivesTheFacts() async throws {
        let resolver = TableResolver(Self.example)
        let observation = try await DomainResolution(resolver: resolver).resolve(domain: "Example.NL.")
        #expect(Set(resolver.asked) == Set(Self.example.map { "\($0.name) \($0.type)" }))
        #expect(resolver.asked.count == Self.example.count)
        #expect(resolver.maxOpen > 1)
        #expect(observation.queries == Self.example.sorted { ($0.name, $0.type) < ($1.name, $1.type) })
        let expected = DNSFacts(
            domain: "example.nl", dnssec: .secure, nsZone: "example.nl",
            nameservers: [HostAddresses(host: "ns1.provider.nl", ipv4: ["198.18.0.1"], ipv6: ["2001:2:0:53::1"]),
                          HostAddresses(host: "ns2.provider.nl", ipv4: ["198.18.0.2"])],
            domainAddresses: HostAddresses(host: "example.nl", ipv4: ["198.18.48.1"]),
            web: HostAddresses(host: "www.example.nl", ipv4: ["198.18.16.1"], ipv6: ["2001:2:0:80::1"]), webDNSSEC: .secure,
            mx: [MailExchanger(preference: 10, host: "mx1.provider.nl", dnssec: .secure, ipv4: ["198.18.32.1"], ipv6: ["2001:2:0:25::1"], tlsa: ["3 1 1 abcd"],
                                caa: CAASet(foundAt: "provider.nl", records: ["0 issue \"ca.lab\""])),
                 MailExchanger(preference: 20, host: "mx2.provider.nl", dnssec: .insecure, ipv4: ["198.18.32.2"],
                               caa: CAASet(foundAt: "mx2.provider.nl", records: ["0 issuewild \";\""]))],
            nullMX: false, txt: ["site-verification=1", "v=spf1 mx -all"], spf: ["v=spf1 mx -all"],
            dmarc: ["v=DMARC1; p=reject"], domainKey: .exists, caaFoundAt: "example.nl", caa: ["0 issue \"ca.lab\""],
            webTLSA: ["3 1 1 ef01"],
            mxNameservers: [HostAddresses(host: "ns1.provider.nl", ipv4: ["198.18.0.1"], ipv6: ["2001:2:0:53::1"]),
                            HostAddresses(host: "ns2.provider.nl", ipv4: ["198.18.0.2"])],
            tlsrpt: ["v=TLSRPTv1; rua=mailto:tlsrpt@example.nl"])
        #expect(observation.facts == expected)
    }

    @Test func observationSurvivesJSONAndFactsReDeriveFromQueries() async throws {
        let observation = try await DomainResolution(resolver: TableResolver(Self.example)).resolve(domain: "example.nl")
        let decoded = try JSONDecoder().decode(ResolutionObservation.self, from: JSONEncoder().encode(observation))
        #expect(decoded == observation)
        #expect(DNSFactsAssembler.facts(domain: "example.nl", webHost: "www.example.nl", queries: decoded.queries) == observation.facts)
    }

    @Test func nameserversAreFoundByClimbing() async throws {
        let resolver = TableResolver([
            rr("afdeling.example.nl", "NS", []),
            rr("example.nl", "NS", ["ns.example.nl"]),
            rr("ns.example.nl", "A", ["198.18.0.9"]),
        ])
        let facts = try await DomainResolution(resolver: resolver).resolve(domain: "afdeling.example.nl").facts
        #expect(facts.nsZone == "example.nl")
        #expect(facts.nameservers == [HostAddresses(host: "ns.example.nl", ipv4: ["198.18.0.9"])])
        #expect(!resolver.asked.contains("nl NS"))
        #expect(facts.webNameservers == nil, "www.afdeling.example.nl is in the same zone")
    }

    @Test func aDelegatedWebHostHasItsOwnNameservers() async throws {
        let resolver = TableResolver([
            rr("example.nl", "NS", ["ns.example.nl"]),
            rr("www.example.nl", "NS", ["ns.webhoster.nl"]),
            rr("ns.webhoster.nl", "AAAA", ["2001:2::99"]),
        ])
        let facts = try await DomainResolution(resolver: resolver).resolve(domain: "example.nl").facts
        #expect(facts.nsZone == "example.nl" && facts.webNSZone == "www.example.nl")
        #expect(facts.webNameservers == [HostAddresses(host: "ns.webhoster.nl", ipv6: ["2001:2::99"])])
        #expect(facts.webTestNameservers.map(\.host) == ["ns.webhoster.nl"])
        #expect(ConnectPlanner.plan(facts).contains { $0.kind == .nameserver && $0.target.address == "2001:2::99" })
    }

    @Test func noNameserversAnywhereLeavesTheZoneUnknown() async throws {
        let resolver = TableResolver([rr("example.nl", "NS", [], rcode: "SERVFAIL", .error)])
        let facts = try await DomainResolution(resolver: resolver).resolve(domain: "example.nl").facts
        #expect(facts.nsZone == nil)
        #expect(facts.nameservers.isEmpty)
        #expect(Set(resolver.asked.filter { $0.hasSuffix(" NS") }) == ["example.nl NS", "www.example.nl NS"],
                "climbs from the domain and from the web host, each stopping at two labels")
    }

    @Test func caaClimbsToTheTLDButNotTheRoot() async throws {
        let resolver = TableResolver([rr("nl", "CAA", ["0 issuewild \";\""])])
        let facts = try await DomainResolution(resolver: resolver).resolve(domain: "example.nl", webHost: "portal.example.nl").facts
        #expect(resolver.asked.filter { $0.hasSuffix(" CAA") } == ["portal.example.nl CAA", "example.nl CAA", "nl CAA"])
        #expect(facts.caaFoundAt == "nl")
        #expect(facts.caa == ["0 issuewild \";\""])
    }

    /// Each MX host has its own climb; a null MX has none.
    @Test func caaIsClimbedFromEveryMailExchanger() async throws {
        let resolver = TableResolver([
            rr("example.nl", "MX", ["10 mx.mail.example.nl", "20 mx.provider.nl"]),
            rr("example.nl", "CAA", ["0 issue \"ca.lab\""]),
            rr("mx.provider.nl", "CAA", [], rcode: "SERVFAIL", .error),
        ])
        let facts = try await DomainResolution(resolver: resolver).resolve(domain: "example.nl").facts
        #expect(facts.mx.map(\.caa) == [CAASet(foundAt: "example.nl", records: ["0 issue \"ca.lab\""]), CAASet(foundAt: nil, records: [])])
        #expect(resolver.asked.contains("mail.example.nl CAA"))
        #expect(!resolver.asked.contains("provider.nl CAA"), "a failed lookup ends the climb")
        let null = try await DomainResolution(resolver: TableResolver([rr("example.nl", "MX", ["0 ."])])).resolve(domain: "example.nl").facts
        #expect(null.mx.map(\.caa) == [nil])
    }

    /// Internet.nl's `do_mx_ns_rpki`: the NS set found by climbing from each MX host, with its
    /// addresses, every nameserver once; none without MX hosts.
    @Test func theMailExchangersNameserversAreFoundByClimbing() async throws {
        let resolver = TableResolver([
            rr("example.nl", "MX", ["10 mx.example.nl", "20 mx1.hoster.nl", "30 mx2.hoster.nl"]),
            rr("example.nl", "NS", ["ns.example.nl"]), rr("ns.example.nl", "A", ["198.18.0.9"]),
            rr("hoster.nl", "NS", ["ns1.hoster.nl", "ns2.hoster.nl"]),
            rr("ns1.hoster.nl", "A", ["198.18.0.10"]), rr("ns2.hoster.nl", "AAAA", ["2001:2::10"]),
        ])
        let facts = try await DomainResolution(resolver: resolver).resolve(domain: "example.nl").facts
        #expect(facts.mxNameservers == [HostAddresses(host: "ns.example.nl", ipv4: ["198.18.0.9"]),
                                        HostAddresses(host: "ns1.hoster.nl", ipv4: ["198.18.0.10"]),
                                        HostAddresses(host: "ns2.hoster.nl", ipv6: ["2001:2::10"])])
        #expect(resolver.asked.filter { $0 == "hoster.nl NS" }.count == 1)
        let null = try await DomainResolution(resolver: TableResolver([rr("example.nl", "MX", ["0 ."])])).resolve(domain: "example.nl").facts
        #expect(null.mxNameservers == [])
    }

    /// Facts stored before the field existed decode with none (not observed).
    @Test func factsWithoutTheMailExchangersNameserversDecode() throws {
        let facts = DNSFacts(domain: "example.nl", dnssec: .secure, nsZone: nil, nameservers: [], domainAddresses: HostAddresses(host: "example.nl"),
                             web: HostAddresses(host: "www.example.nl"), webDNSSEC: .secure, mx: [MailExchanger(preference: 10, host: "mx.example.nl", dnssec: .secure)],
                             nullMX: false, txt: [], spf: [], dmarc: [], domainKey: .exists, caaFoundAt: nil, caa: [], webTLSA: [])
        let json = String(decoding: try JSONEncoder().encode(facts), as: UTF8.self)
        #expect(!json.contains("mxNameservers") && !json.contains("\"caa\":{") && !json.contains("tlsrpt"))
        let decoded = try JSONDecoder().decode(DNSFacts.self, from: Data(json.utf8))
        #expect(decoded.mxNameservers == nil && decoded.mx[0].caa == nil && decoded.tlsrpt == nil)
    }

    @Test func caaClimbStopsAtAFailedLookup() async throws {
        let resolver = TableResolver([
            rr("www.example.nl", "CAA", [], rcode: "SERVFAIL", .error),
            rr("example.nl", "CAA", ["0 issue \"ca.lab\""]),
        ])
        let facts = try await DomainResolution(resolver: resolver).resolve(domain: "example.nl").facts
        #expect(!resolver.asked.contains("example.nl CAA"))
        #expect(facts.caaFoundAt == nil)
        #expect(facts.caa.isEmpty)
    }

    @Test func nullMXAsksNothingMoreForMail() async throws {
        let resolver = TableResolver([rr("example.nl", "MX", ["0 ."], .insecure)])
        let facts = try await DomainResolution(resolver: resolver).resolve(domain: "example.nl").facts
        #expect(facts.nullMX)
        #expect(facts.mx == [MailExchanger(preference: 0, host: "", dnssec: .insecure)])
        #expect(!resolver.asked.contains { $0.hasPrefix("_25._tcp") })
    }

    @Test func noMXIsAnEmptyList() async throws {
        let facts = try await DomainResolution(resolver: TableResolver([rr("example.nl", "MX", [])])).resolve(domain: "example.nl").facts
        #expect(facts.mx.isEmpty)
        #expect(!facts.nullMX)
    }

    @Test func atMostTenMailExchangersAreAsked() async throws {
        let mx = (10...21).map { "\($0) mx\($0).example.nl" }
        let resolver = TableResolver([rr("example.nl", "MX", mx)])
        let facts = try await DomainResolution(resolver: resolver).resolve(domain: "example.nl").facts
        #expect(facts.mx.map(\.host) == (10...19).map { "mx\($0).example.nl" })
        #expect(!resolver.asked.contains("mx20.example.nl A"))
        #expect(!resolver.asked.contains("_25._tcp.mx21.example.nl TLSA"))
        #expect(resolver.asked.filter { $0.hasPrefix("_25._tcp.") }.count == 10)
    }

    @Test func aNameInSeveralRolesIsAskedOnce() async throws {
        let resolver = TableResolver([
            rr("example.nl", "NS", ["example.nl"]),
            rr("example.nl", "MX", ["10 example.nl", "20 www.example.nl"]),
            rr("example.nl", "A", ["198.18.48.1"]),
        ])
        let facts = try await DomainResolution(resolver: resolver).resolve(domain: "example.nl").facts
        #expect(resolver.asked.count == Set(resolver.asked).count)
        #expect(facts.nameservers == [HostAddresses(host: "example.nl", ipv4: ["198.18.48.1"])])
        #expect(facts.mx.first?.ipv4 == ["198.18.48.1"])
    }

    @Test func bogusAnswersKeepTheirRecordsAndReason() async throws {
        let reason = "signature expired from 198.18.0.3 for DNSKEY bogus.nl."
        let resolver = TableResolver([
            rr("bogus.nl", "SOA", ["ns.bogus.nl h.bogus.nl 1 1 1 1 1"], .bogus, reason: reason),
            rr("www.bogus.nl", "A", ["198.18.16.7"], .bogus, reason: reason),
            rr("bogus.nl", "MX", ["10 mx.bogus.nl"], .bogus, reason: reason),
            rr("mx.bogus.nl", "A", ["198.18.32.7"], .bogus, reason: reason),
            rr("_domainkey.bogus.nl", "TXT", [], rcode: "NXDOMAIN", .bogus, reason: reason),
        ])
        let facts = try await DomainResolution(resolver: resolver).resolve(domain: "bogus.nl").facts
        #expect(facts.dnssec == .bogus)
        #expect(facts.dnssecReason == reason)
        #expect(facts.webDNSSEC == .bogus)
        #expect(facts.web.ipv4 == ["198.18.16.7"])
        #expect(facts.mx == [MailExchanger(preference: 10, host: "mx.bogus.nl", dnssec: .bogus, ipv4: ["198.18.32.7"],
                                                  caa: CAASet(foundAt: nil, records: []))])
        #expect(facts.domainKey == .nxdomain)
    }

    @Test func unansweredQuestionsReadAsErrors() {
        let facts = DNSFactsAssembler.facts(domain: "example.nl", webHost: "www.example.nl", queries: [])
        #expect(facts.dnssec == .error)
        #expect(facts.webDNSSEC == .error)
        #expect(facts.domainKey == .error)
        #expect(facts.nsZone == nil)
        #expect(facts.caaFoundAt == nil)
    }

    @Test func invalidNamesAreRefusedBeforeAnyQuestion() async {
        let resolver = TableResolver([])
        await #expect(throws: ResolverError.self) { try await DomainResolution(resolver: resolver).resolve(domain: "not a domain") }
        await #expect(throws: ResolverError.self) { try await DomainResolution(resolver: resolver).resolve(domain: "example.nl", webHost: "") }
        #expect(resolver.asked.isEmpty)
    }
}
