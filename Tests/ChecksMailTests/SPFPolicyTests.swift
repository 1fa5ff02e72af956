import Checks
import Testing

/// Internet.nl's SPF policy rules on Peil's parser, with includes served from memory.
struct SPFPolicyTests {
    static let zone = MemoryZone(records: [
        "good.example": [("TXT", "v=spf1 ip4:192.0.2.0/24 -all")],
        "neutral.example": [("TXT", "v=spf1 ip4:192.0.2.0/24 ?all")],
        "open.example": [("TXT", "v=spf1 +all")],
        "none.example": [("TXT", "just text")],
        "two.example": [("TXT", "v=spf1 -all"), ("TXT", "v=spf1 ~all")],
        "broken.example": [("TXT", "v=spf1 ip4:192.0.2.300 -all")],
        "five.example": [("TXT", "v=spf1 a mx a mx a -all")],
        "loop1.example": [("TXT", "v=spf1 include:loop2.example -all")],
        "loop2.example": [("TXT", "v=spf1 include:loop1.example -all")],
        "redirected.example": [("TXT", "v=spf1 mx ~all")],
        "noall.example": [("TXT", "v=spf1 mx")],
    ]).adding(["slow.example": [.timeout]])

    static func judge(_ record: String, ruleSet: RuleSet = .internetnlCurrent, resolver: (any MailResolver)? = zone) async -> SPFPolicyResult {
        await SPFPolicy.evaluate(record: record, domain: "example.nl", resolver: resolver, ruleSet: ruleSet)
    }

    @Test(arguments: [
        ("v=spf1 -all", SPFPolicyVerdict.valid),
        ("v=spf1 ~all", .valid),
        ("v=spf1 ip4:192.0.2.1 include:good.example -all", .valid),
        ("v=spf1 include:neutral.example -all", .valid), // ?all is fine inside an include
        ("v=spf1 +all", .invalidAll),
        ("v=spf1 all", .invalidAll),
        ("v=spf1 ?all", .invalidAll),
        ("v=spf1", .invalidAll),
        ("v=spf1 ip4:192.0.2.1", .invalidAll),
        ("v=spf1 redirect=good.example", .valid),
        ("v=spf1 redirect=neutral.example", .invalidRedirect),
        ("v=spf1 redirect=noall.example", .invalidRedirect),
        ("v=spf1 redirect=missing.example", .invalidRedirect),
        ("v=spf1 -all redirect=missing.example", .valid), // redirect ignored next to all
        ("v=spf1 include:open.example -all", .invalidInclude),
        ("v=spf1 include:missing.example -all", .invalidInclude),
        ("v=spf1 include:none.example -all", .invalidInclude),
        ("v=spf1 include:two.example -all", .invalidInclude),
        ("v=spf1 include:broken.example -all", .invalidInclude),
        // A timed-out include is undetermined (status error), not a failed policy.
        ("v=spf1 include:slow.example -all", .lookupError),
        ("v=spf1 include:%{d}.example -all", .valid), // macros are not followed
        ("v=spf1 ip4:192.0.2.300 -all", .invalidSyntax),
        ("v=spf1 a:foo-bar -all", .invalidSyntax),
        ("v=spf1 include:good.example/24 -all", .invalidSyntax),
        ("v=spf1 -all +all", .valid), // terms after the first all are never evaluated
        ("v=spf1 include:loop1.example -all", .maxLookups),
        ("v=spf1 a mx a mx a mx a mx a mx a -all", .maxLookups),
        ("v=spf1 a mx a mx a mx a mx a mx -all", .valid),
        ("v=spf1 include:five.example include:five.example -all", .maxLookups),
        ("v=spf1 include:five.example a a a a -all", .valid), // 1 + 4 + 5 = 10
        ("v=spf1 include:five.example a a a a a -all", .maxLookups), // 11
    ])
    func currentRules(_ record: String, _ expected: SPFPolicyVerdict) async {
        let result = await Self.judge(record)
        #expect(result.verdict == expected, "\(record): \(result.findings)")
        #expect(result.status == (expected == .valid ? .passed : expected == .lookupError ? .error : .failed))
        #expect(result.recursionChecked)
    }

    @Test func lookupsAreCountedOverTheTree() async {
        #expect(await Self.judge("v=spf1 include:five.example a -all").lookups == 7)
        #expect(await Self.judge("v=spf1 redirect=redirected.example").lookups == 2)
    }

    @Test func the2021RuleSetCountsOnlyIncludesAndRedirects() async {
        #expect(await Self.judge("v=spf1 a mx a mx a mx a mx a mx a -all", ruleSet: .internetnl2021).verdict == .valid)
        #expect(await Self.judge("v=spf1 include:five.example include:five.example -all", ruleSet: .internetnl2021).verdict == .valid)
        #expect(await Self.judge("v=spf1 include:loop1.example -all", ruleSet: .internetnl2021).verdict == .maxLookups)
    }

    @Test func withoutAResolverOnlyTheRecordIsJudgedAndItSaysSo() async {
        let open = await Self.judge("v=spf1 include:open.example -all", resolver: nil)
        #expect(open.verdict == .valid)
        #expect(!open.recursionChecked)
        #expect(open.findings.contains { $0.code == "spf-not-followed" && $0.subject == "include:open.example" })
        #expect(await Self.judge("v=spf1 +all", resolver: nil).verdict == .invalidAll)
    }

    @Test func findingsNameTheTermAndExplain() async {
        let result = await Self.judge("v=spf1 include:good.example ?all")
        let finding = result.findings.first
        #expect(finding?.code == "spf-all-neutral")
        #expect(finding?.subject == "?all")
        #expect(finding?.detail?.contains("example.nl") == true)
        let syntax = await Self.judge("v=spf1 ip4:192.0.2.1\u{0D}ptr -all")
        #expect(syntax.verdict == .invalidSyntax)
    }

    @Test func existenceAndNonSending() {
        #expect(SPFCheck.existence(.records(["v=spf1 -all", "other"])).status == .passed)
        #expect(SPFCheck.existence(.records(["v=spf1 -all", "v=spf1 ~all"])).status == .failed)
        #expect(SPFCheck.existence(.nxdomain).status == .failed)
        #expect(SPFCheck.existence(.failure("SERVFAIL")).status == .error)
        for record in ["v=spf1 -all", "v=spf1  -all", "v=spf1 -all;", "v=spf1 exp=x.example -all", "v=spf1 -all exp=x.example"] {
            #expect(SPFCheck.isNonSending(record), "\(record)")
        }
        for record in ["v=spf1 ~all", "v=spf1 mx -all", "V=SPF1 -all", "v=spf1 -all ", "v=spf1 exp=a exp=b -all"] {
            #expect(!SPFCheck.isNonSending(record), "\(record)")
        }
    }
}

extension MemoryZone {
    func adding(_ more: [String: [Entry]]) -> MemoryZone {
        var copy = self
        for (name, entries) in more { copy.names[MemoryZone.key(name)] = entries }
        return copy
    }
}
