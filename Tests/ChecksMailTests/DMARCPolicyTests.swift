import Checks
import Testing

/// Internet.nl's DMARC rules: discovery with organisational fallback, the policy, t=y,
/// external destinations, rule sets.
struct DMARCPolicyTests {
    /// A small list in the PSL format, enough for these tests.
    static let psl = PublicSuffixList(text: """
        // comment
        nl
        gov.uk
        *.ck
        !www.ck
        co.nl
        """)

    static func policy(_ record: String, at domain: String = "example.nl", org: Bool = false,
                       authorisations: [String: MailDNSAnswer]? = [:], ruleSet: RuleSet = .internetnlCurrent) -> DMARCPolicyResult {
        DMARCPolicy.evaluate(record: record, domain: domain, isOrganisationalDomain: org, psl: psl,
                             authorisations: authorisations, ruleSet: ruleSet)
    }

    @Test(arguments: [
        ("v=DMARC1; p=reject", DMARCPolicyVerdict.valid),
        ("v=DMARC1; p=quarantine;", .valid),
        ("v=DMARC1;p=reject", .valid),
        ("v=DMARC1; p=none", .invalidPolicy),
        ("v=DMARC1; p=NONE; rua=mailto:d@example.nl", .invalidPolicy),
        ("v=DMARC1;", .invalidPolicy),
        ("v=DMARC1; p=quarantine; t=y", .invalidPolicy),
        ("v=DMARC1; p=reject; t=y", .valid),
        ("v=DMARC1; p=quarantine; t=n", .valid),
        ("v=DMARC1", .invalidSyntax),
        ("v=dmarc1; p=reject", .invalidSyntax),
        ("v=DMARC1; sp=reject; p=reject", .invalidSyntax),
        ("v=DMARC1; p=reject; foo=bar", .invalidSyntax),
        ("v=DMARC1; p=reject ", .invalidSyntax),
        ("v=DMARC1; p=reject; pct=1000", .invalidSyntax),
        ("v=DMARC1; p=reject; pct=100", .valid),
        ("v=DMARC1; p=reject; rua=d@example.nl", .invalidSyntax),
        ("v=DMARC1; p=reject; rua=mailto:d@example.nl!10m!2", .invalidSyntax),
        ("v=DMARC1; p=reject; rua=mailto:d@example.nl!m", .invalidSyntax),
        ("v=DMARC1; p=reject; fo=0 : 1:d; rf=afrf:iodef; ri=86400; adkim=s; aspf=r", .valid),
        ("v=DMARC1; p=reject; rf=afrf-", .invalidSyntax),
        ("v=DMARC1; p=reject; np=reject; psd=n", .valid),
        ("v=DMARC1; p=reject; p=none", .invalidSyntax),
    ])
    func currentRules(_ record: String, _ expected: DMARCPolicyVerdict) {
        let result = Self.policy(record)
        #expect(result.verdict == expected, "\(record): \(result.findings)")
        #expect(result.status == (expected == .valid ? .passed : .failed))
        if expected != .valid { #expect(!result.findings.isEmpty) }
    }

    @Test func the2021RuleSetKnowsNeitherTNorNpAndNeedsNoScheme() {
        #expect(Self.policy("v=DMARC1; p=quarantine; t=y", ruleSet: .internetnl2021).verdict == .invalidSyntax)
        #expect(Self.policy("v=DMARC1; p=reject; np=reject", ruleSet: .internetnl2021).verdict == .invalidSyntax)
        #expect(Self.policy("v=DMARC1; p=reject; rua=d@example.nl", ruleSet: .internetnl2021).verdict == .valid)
    }

    @Test func atTheOrganisationalDomainSpDecides() {
        #expect(Self.policy("v=DMARC1; p=reject; sp=none", org: true).verdict == .invalidPolicy)
        #expect(Self.policy("v=DMARC1; p=none; sp=reject", org: true).verdict == .valid)
        #expect(Self.policy("v=DMARC1; p=none; sp=reject", org: false).verdict == .invalidPolicy)
        #expect(Self.policy("v=DMARC1; p=quarantine; t=y", org: true).verdict == .invalidPolicy)
        #expect(Self.policy("v=DMARC1; p=reject; sp=quarantine; t=y", org: true).verdict == .invalidPolicy)
    }

    @Test func externalDestinationsNeedTheirAuthorisation() {
        let record = "v=DMARC1; p=reject; rua=mailto:a@example.nl,mailto:b@reports.example.com; ruf=mailto:c@sub.example.nl"
        #expect(DMARCPolicy.authorisationQueries(record: record, domain: "example.nl", psl: Self.psl)
                == ["example.nl._report._dmarc.reports.example.com"])
        let name = "example.nl._report._dmarc.reports.example.com"
        let cases: [(MailDNSAnswer, DMARCPolicyVerdict)] = [
            (.records(["v=DMARC1;"]), .valid),
            (.records(["v=DMARC1; p=none", "unrelated"]), .valid),
            (.records(["v=DMARC1"]), .invalidExternal),
            (.records(["v=DMARC1;", "v=DMARC1; p=none"]), .invalidExternal),
            (.records([]), .invalidExternal),
            (.nxdomain, .invalidExternal),
            (.failure("SERVFAIL"), .invalidExternal),
        ]
        for (answer, expected) in cases {
            let result = Self.policy(record, authorisations: [name: answer])
            #expect(result.verdict == expected, "\(answer)")
            #expect(result.status == (expected == .valid ? .passed : .warning))
        }
        let unchecked = Self.policy(record, authorisations: nil)
        #expect(unchecked.verdict == .valid)
        #expect(!unchecked.externalChecked)
        #expect(unchecked.findings.contains { $0.code == "dmarc-external-not-checked" })
    }

    @Test func reportHostsAreReadAsInternetNLDoes() {
        #expect(DMARCRecord.reportHost("mailto:dmarc@Reports.Example.com.!10m") == "reports.example.com")
        #expect(DMARCRecord.reportHost(" mailto:x@y.nl?subject=dmarc") == "y.nl")
        #expect(DMARCRecord.reportHost("https://reports.example.com/dmarc") == nil)
    }

    @Test func discoveryFallsBackToTheOrganisationalDomain() {
        let psl = Self.psl
        #expect(DMARCCheck.fallbackDomain(for: "www.example.nl", answer: .nxdomain, psl: psl) == "example.nl")
        #expect(DMARCCheck.fallbackDomain(for: "example.nl", answer: .nxdomain, psl: psl) == nil)
        #expect(DMARCCheck.fallbackDomain(for: "www.example.nl", answer: .failure("timeout"), psl: psl) == nil)
        #expect(DMARCCheck.fallbackDomain(for: "www.example.nl", answer: .records(["v=spf1 -all"]), psl: psl) == "example.nl")
        let own = DMARCCheck.discover(domain: "www.example.nl", answer: .records(["v=DMARC1; p=reject"]), organisationalAnswer: nil, psl: psl)
        #expect(own.status == .passed && !own.isOrganisationalDomain && own.foundAt == "www.example.nl")
        let org = DMARCCheck.discover(domain: "www.example.nl", answer: .nxdomain, organisationalAnswer: .records(["V=DMARC1; p=reject"]), psl: psl)
        #expect(org.status == .passed && org.isOrganisationalDomain && org.foundAt == "example.nl")
        #expect(DMARCCheck.discover(domain: "example.nl", answer: .records(["v=DMARC1; p=reject", "v=DMARC1; p=none"]),
                                    organisationalAnswer: nil, psl: psl).status == .failed)
        #expect(DMARCCheck.discover(domain: "example.nl", answer: .failure("SERVFAIL"), organisationalAnswer: nil, psl: psl).status == .error)
        #expect(DMARCCheck.discover(domain: "example.nl", answer: .nxdomain, organisationalAnswer: nil, psl: psl).status == .failed)
        #expect(DMARCCheck.discover(domain: "a.example.nl", answer: .nxdomain, organisationalAnswer: .records([]), psl: psl).status == .failed)
        #expect(DMARCCheck.discover(domain: "a.example.nl", answer: .nxdomain, organisationalAnswer: nil, psl: psl).status == .error)
    }

    @Test func nonSendingReadings() {
        #expect(DMARCPolicy.isNonSending("v=DMARC1; p=reject", isOrganisationalDomain: false))
        #expect(DMARCPolicy.isNonSending("v=DMARC1;p=reject;", isOrganisationalDomain: false))
        #expect(!DMARCPolicy.isNonSending("v=DMARC1; p=quarantine", isOrganisationalDomain: false))
        #expect(!DMARCPolicy.isNonSending("v=DMARC1; sp=reject", isOrganisationalDomain: false))
        // Internet.nl's own table for the organisational-domain reading.
        let org: [(String, Bool)] = [
            ("v=DMARC1; p=reject; sp=reject", true), ("v=DMARC1; sp=reject", true), ("v=DMARC1; p=reject; sp=whatever", false),
            ("v=DMARC1; p=reject; other stuff with no sp", true), ("v=DMARC1; p=reject", true), ("v=DMARC1; p=none; sp=none", false),
            ("v=DMARC1; sp=none", false), ("v=DMARC1; p=none; sp=whatever", false), ("v=DMARC1; p=none; other stuff with no sp", false),
            ("v=DMARC1; p=none", false),
        ]
        for (record, expected) in org { #expect(DMARCPolicy.isNonSending(record, isOrganisationalDomain: true) == expected, "\(record)") }
    }
}
