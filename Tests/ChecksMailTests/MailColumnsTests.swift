import Checks
import PeilModel
import Testing

/// The mail bulk columns from stored raw queries, and the follow-up planner that gathers them.
struct MailColumnsTests {
    private let psl = PublicSuffixList(text: "nl\n")

    private func txt(_ name: String, _ records: [String], rcode: String = "NOERROR") -> DNSQueryRecord {
        DNSQueryRecord(name: name, type: "TXT", rcode: rcode, dnssec: .secure, records: records)
    }

    private func observation(_ queries: [DNSQueryRecord], domain: String = "sub.example.nl") -> ResolutionObservation {
        let mx = MailExchanger(preference: 10, host: "mx.example.nl", dnssec: .secure, ipv4: ["198.18.0.1"])
        let facts = DNSFacts(domain: domain, dnssec: .secure, nsZone: "example.nl", nameservers: [], domainAddresses: HostAddresses(host: domain),
                             web: HostAddresses(host: "www." + domain), webDNSSEC: .secure, mx: [mx], nullMX: false, txt: [], spf: [],
                             dmarc: [], domainKey: .exists, caaFoundAt: nil, caa: [], webTLSA: [])
        let mxQuery = DNSQueryRecord(name: domain, type: "MX", rcode: "NOERROR", dnssec: .secure, records: ["10 mx.example.nl"])
        return ResolutionObservation(facts: facts, queries: queries + [mxQuery])
    }

    /// The planner asks round by round what the verdicts read, and then the columns follow.
    @Test func thePlannerGathersTheFallbackAuthorisationsAndTheSPFTree() async {
        var queries = [txt("sub.example.nl", ["v=spf1 include:a.example.nl -all"]), txt("_dmarc.sub.example.nl", [], rcode: "NXDOMAIN"),
                       txt("_domainkey.sub.example.nl", [])]
        let planner = MailAuthPlanner(psl: psl)
        var round = await planner.nextTXTNames(domain: "sub.example.nl", answers: queries)
        #expect(Set(round) == ["peil-wildcard-probe._domainkey.sub.example.nl", "_dmarc.example.nl", "a.example.nl"])
        queries += [txt("peil-wildcard-probe._domainkey.sub.example.nl", [], rcode: "NXDOMAIN"),
                    txt("_dmarc.example.nl", ["v=DMARC1; p=reject; rua=mailto:r@reports.test.nl"]),
                    txt("a.example.nl", ["v=spf1 include:b.example.nl -all"])]
        round = await planner.nextTXTNames(domain: "sub.example.nl", answers: queries)
        #expect(Set(round) == ["b.example.nl", "example.nl._report._dmarc.reports.test.nl"])
        queries += [txt("b.example.nl", ["v=spf1 ip4:192.0.2.0/24 -all"]), txt("example.nl._report._dmarc.reports.test.nl", ["v=DMARC1"])]
        #expect(await planner.nextTXTNames(domain: "sub.example.nl", answers: queries).isEmpty)

        let columns = await MailColumns.evaluate(observation(queries), ruleSet: .internetnl2021, psl: psl)
        #expect(columns.columns == ["dmarc": .passed, "dkim": .passed, "spf": .passed, "dmarc_policy": .warning,
                                    "spf_policy": .passed, "dnssec_mx": .passed])
    }

    /// What was not asked is an error, never a pass or an absence.
    @Test func unaskedQuestionsAreErrors() async {
        let columns = await MailColumns.evaluate(observation([]), ruleSet: .internetnlCurrent, psl: psl)
        #expect(columns.dmarc == .error && columns.spf == .error && columns.dkim == .error)
    }

    /// DKIM: non-sending is not_applicable; a wildcard is info under the 2021 reading.
    @Test func dkimWords() async {
        let nonSending = [txt("sub.example.nl", ["v=spf1 -all"]), txt("_dmarc.sub.example.nl", ["v=DMARC1; p=reject"]),
                          txt("_domainkey.sub.example.nl", [], rcode: "NXDOMAIN"),
                          txt("peil-wildcard-probe._domainkey.sub.example.nl", [], rcode: "NXDOMAIN")]
        #expect(await MailColumns.evaluate(observation(nonSending), ruleSet: .internetnl2021, psl: psl).dkim == .notApplicable)
        let wildcard = [txt("_domainkey.sub.example.nl", []), txt("peil-wildcard-probe._domainkey.sub.example.nl", ["v=DKIM1; p="])]
        #expect(await MailColumns.evaluate(observation(wildcard), ruleSet: .internetnl2021, psl: psl).dkim == .info)
        #expect(await MailColumns.evaluate(observation(wildcard), ruleSet: .internetnlCurrent, psl: psl).dkim == .passed)
    }

    /// Under the 2021 reading a `_domainkey` that exists only through a wildcard is info; when
    /// the wildcard probe's lookup failed, which it is is unknown.
    @Test func dkimWildcardUnknownWhenItsProbeFailed() async {
        let probeFailed = [txt("_domainkey.sub.example.nl", []), txt("peil-wildcard-probe._domainkey.sub.example.nl", [], rcode: "SERVFAIL")]
        #expect(await MailColumns.evaluate(observation(probeFailed), ruleSet: .internetnl2021, psl: psl).dkim == .error)
        #expect(await MailColumns.evaluate(observation(probeFailed), ruleSet: .internetnlCurrent, psl: psl).dkim == .passed)
    }

    /// The domain of session 33's twin run: no `_domainkey`, DMARC p=reject, and the SPF lookup
    /// failed. Whether it sends mail is unknown, so DKIM is an error, not a failure; with SPF
    /// answered it is not applicable, and with DMARC allowing mail it fails as before.
    @Test func dkimIsAnErrorWhenAFailedLookupHidesNonSending() async {
        let spfFailed = [txt("sub.example.nl", [], rcode: "SERVFAIL"), txt("_dmarc.sub.example.nl", ["v=DMARC1; p=reject"]),
                         txt("_domainkey.sub.example.nl", [], rcode: "NXDOMAIN"),
                         txt("peil-wildcard-probe._domainkey.sub.example.nl", [], rcode: "NXDOMAIN")]
        for ruleSet in [RuleSet.internetnl2021, .internetnlCurrent] {
            let columns = await MailColumns.evaluate(observation(spfFailed), ruleSet: ruleSet, psl: psl)
            #expect(columns.dkim == .error && columns.spf == .error && columns.dmarc == .passed, "\(ruleSet)")
        }
        var answered = spfFailed
        answered[0] = txt("sub.example.nl", ["v=spf1 -all"])
        #expect(await MailColumns.evaluate(observation(answered), ruleSet: .internetnlCurrent, psl: psl).dkim == .notApplicable)
        var sends = spfFailed
        sends[1] = txt("_dmarc.sub.example.nl", ["v=DMARC1; p=none"])
        #expect(await MailColumns.evaluate(observation(sends), ruleSet: .internetnlCurrent, psl: psl).dkim == .failed)
    }
}
