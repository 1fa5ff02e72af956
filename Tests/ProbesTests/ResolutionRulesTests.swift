import PeilModel
import Testing
@testable import Probes

@Suite("Resolution rules")
struct ResolutionRulesTests {
    private func record(_ name: String = "x.nl", _ type: String = "TXT", rcode: String = "NOERROR",
                        _ status: DNSSECStatus = .insecure, records: [String] = []) -> DNSQueryRecord {
        DNSQueryRecord(name: name, type: type, rcode: rcode, dnssec: status, records: records)
    }

    @Test func climbingOrderGoesUpLabelByLabelAndNeverAsksTheRoot() {
        #expect(DNSNames.caaClimb(from: "www.afdeling.gemeente.nl") == ["www.afdeling.gemeente.nl", "afdeling.gemeente.nl", "gemeente.nl", "nl"])
        #expect(DNSNames.caaClimb(from: "WWW.Example.NL.") == ["www.example.nl", "example.nl", "nl"])
        #expect(DNSNames.caaClimb(from: "nl") == ["nl"])
        #expect(DNSNames.caaClimb(from: ".") == [])
        #expect(DNSNames.nameserverClimb(from: "a.b.example.nl") == ["a.b.example.nl", "b.example.nl", "example.nl"])
        #expect(DNSNames.nameserverClimb(from: "example.nl") == ["example.nl"])
        #expect(DNSNames.nameserverClimb(from: "nl") == ["nl"])
    }

    @Test(arguments: [
        ("example.nl", true), ("Example.NL.", true), ("_dmarc.example.nl", true), ("_25._tcp.mx.example.nl", true),
        ("xn--bcher-kva.nl", true), ("", false), (".", false), ("a..nl", false), ("a b.nl", false),
        ("-ok-.nl", true), (String(repeating: "a", count: 64) + ".nl", false), (String(repeating: "a", count: 63) + ".nl", true),
        (Array(repeating: String(repeating: "a", count: 49), count: 5).joined(separator: "."), true), // 249 octets
        (Array(repeating: String(repeating: "a", count: 50), count: 5).joined(separator: "."), false), // 254 octets
        ("bücher.nl", false), ("example.nl/x", false),
    ])
    func queryNameValidation(name: String, valid: Bool) {
        #expect(DNSNames.isValidQueryName(name) == valid)
    }

    @Test func normalise() {
        #expect(DNSNames.normalise("WWW.Example.nl.") == "www.example.nl")
        #expect(DNSNames.normalise(".") == "")
    }

    @Test func nullMXAloneIsNullMX() {
        let (exchangers, nullMX) = ResolutionRules.mailExchangers(["0 ."])
        #expect(nullMX)
        #expect(exchangers == [.init(preference: 0, host: "")])
    }

    @Test func nullMXWithOtherExchangersIsNotNullMX() {
        let (exchangers, nullMX) = ResolutionRules.mailExchangers(["10 mx.example.nl", "0 ."])
        #expect(!nullMX)
        #expect(exchangers == [.init(preference: 0, host: ""), .init(preference: 10, host: "mx.example.nl")])
    }

    @Test func rootExchangerWithNonZeroPreferenceIsNotNullMX() {
        let (exchangers, nullMX) = ResolutionRules.mailExchangers(["10 ."])
        #expect(!nullMX)
        #expect(exchangers == [.init(preference: 10, host: "")])
    }

    @Test func noMXIsEmpty() {
        let (exchangers, nullMX) = ResolutionRules.mailExchangers([])
        #expect(exchangers.isEmpty)
        #expect(!nullMX)
    }

    @Test func mxIsSortedByPreferenceThenHostAndCappedAtTen() {
        let records = (1...12).map { "\($0 % 3 * 10) mx\($0 < 10 ? "0" : "")\($0).example.nl" }
        let (exchangers, _) = ResolutionRules.mailExchangers(records)
        #expect(exchangers.count == 10)
        #expect(exchangers.map(\.preference) == [0, 0, 0, 0, 10, 10, 10, 10, 20, 20])
        #expect(exchangers.prefix(4).map(\.host) == ["mx03.example.nl", "mx06.example.nl", "mx09.example.nl", "mx12.example.nl"])
        #expect(exchangers.suffix(2).map(\.host) == ["mx02.example.nl", "mx05.example.nl"])
        #expect(!exchangers.map(\.host).contains("mx08.example.nl"))
        #expect(!exchangers.map(\.host).contains("mx11.example.nl"))
        #expect(ResolutionRules.mailExchangers(records, limit: 3).exchangers.count == 3)
    }

    @Test func mxDuplicatesAndCaseCollapse() {
        let (exchangers, _) = ResolutionRules.mailExchangers(["10 MX.example.nl.", "10 mx.example.nl", "garbage", "x mx.nl"])
        #expect(exchangers == [.init(preference: 10, host: "mx.example.nl")])
    }

    @Test(arguments: [
        ("NOERROR", DomainKeyPresence.exists), ("NXDOMAIN", .nxdomain), ("SERVFAIL", .error),
        ("TIMEOUT", .error), ("ERROR", .error), ("REFUSED", .error),
    ])
    func domainKeyFollowsTheResponseCode(rcode: String, presence: DomainKeyPresence) {
        #expect(ResolutionRules.domainKey(record(rcode: rcode)) == presence)
    }

    @Test func domainKeyNotAskedIsError() {
        #expect(ResolutionRules.domainKey(nil) == .error)
    }

    @Test func spfIsCaseInsensitiveOnThePrefixOnly() {
        let txt = ["v=spf1 -all", "V=SPF1 include:x.nl ~all", "google-site-verification=abc", "v=spf2.0/pra", " v=spf1 -all", "v=DMARC1; p=none"]
        #expect(ResolutionRules.spf(txt) == ["v=spf1 -all", "V=SPF1 include:x.nl ~all"])
    }

    @Test func climbSteps() {
        #expect(ResolutionRules.caaStep(record(records: ["0 issue \"ca.lab\""])) == .found)
        #expect(ResolutionRules.caaStep(record(records: [])) == .next)
        #expect(ResolutionRules.caaStep(record(rcode: "NXDOMAIN", .secure)) == .next)
        #expect(ResolutionRules.caaStep(record(rcode: "NOERROR", .bogus)) == .next)
        #expect(ResolutionRules.caaStep(record(rcode: "SERVFAIL", .error)) == .stop)
        #expect(ResolutionRules.caaStep(record(rcode: "TIMEOUT", .error)) == .stop)
        #expect(ResolutionRules.nameserverStep(record(records: ["ns1.example.nl"])) == .found)
        #expect(ResolutionRules.nameserverStep(record(rcode: "SERVFAIL", .error)) == .next)
        #expect(ResolutionRules.nameserverStep(record(rcode: "NXDOMAIN")) == .next)
    }

    @Test func serviceNames() {
        #expect(ResolutionRules.tlsaName(port: 25, host: "MX.example.nl.") == "_25._tcp.mx.example.nl")
        #expect(ResolutionRules.dmarcName("Example.nl") == "_dmarc.example.nl")
        #expect(ResolutionRules.domainKeyName("example.nl") == "_domainkey.example.nl")
    }
}
