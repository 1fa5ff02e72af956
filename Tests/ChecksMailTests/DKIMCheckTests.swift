import Checks
import PeilModel
import Testing

/// DKIM by `_domainkey` presence, the non-sending exception, the wildcard finding.
struct DKIMCheckTests {
    @Test func presenceDecides() {
        #expect(DKIMCheck.evaluate(domainKey: .exists, nonSending: false).status == .passed)
        #expect(DKIMCheck.evaluate(domainKey: .nxdomain, nonSending: false).status == .failed)
        #expect(DKIMCheck.evaluate(domainKey: .error, nonSending: false).status == .error)
        #expect(DKIMCheck.evaluate(domainKey: .nxdomain, nonSending: true).status == .notTested)
        #expect(DKIMCheck.evaluate(domainKey: .error, nonSending: true).status == .notTested)
        #expect(DKIMCheck.evaluate(domainKey: .exists, nonSending: true).status == .passed)
    }

    @Test func aWildcardIsFlagged() {
        let result = DKIMCheck.evaluate(domainKey: .exists, wildcard: .exists, nonSending: false)
        #expect(result.status == .passed)
        #expect(result.findings.contains { $0.code == "dkim-wildcard" })
        #expect(!DKIMCheck.evaluate(domainKey: .exists, wildcard: .nxdomain, nonSending: false).findings.contains { $0.code == "dkim-wildcard" })
        #expect(DKIMCheck.wildcardProbeName(domain: "Example.NL.") == "peil-wildcard-probe._domainkey.example.nl")
    }

    @Test func nonSendingNeedsValidRejectingDMARCAndBareMinusAll() async {
        let psl = PublicSuffixList(text: "nl\n")
        let dmarc = DMARCCheck.discover(domain: "example.nl", answer: .records(["v=DMARC1; p=reject"]), organisationalAnswer: nil, psl: psl)
        let dmarcPolicy = DMARCPolicy.evaluate(record: "v=DMARC1; p=reject", domain: "example.nl", isOrganisationalDomain: false,
                                               psl: psl, authorisations: [:])
        let spf = await SPFPolicy.evaluate(record: "v=spf1 -all", domain: "example.nl", resolver: MemoryZone())
        #expect(DKIMCheck.isNonSendingDomain(dmarc: dmarc, dmarcPolicy: dmarcPolicy, spfRecord: "v=spf1 -all", spfPolicy: spf))
        let mx = await SPFPolicy.evaluate(record: "v=spf1 mx -all", domain: "example.nl", resolver: MemoryZone())
        #expect(!DKIMCheck.isNonSendingDomain(dmarc: dmarc, dmarcPolicy: dmarcPolicy, spfRecord: "v=spf1 mx -all", spfPolicy: mx))
        let quarantine = DMARCCheck.discover(domain: "example.nl", answer: .records(["v=DMARC1; p=quarantine"]), organisationalAnswer: nil, psl: psl)
        #expect(!DKIMCheck.isNonSendingDomain(dmarc: quarantine, dmarcPolicy: dmarcPolicy, spfRecord: "v=spf1 -all", spfPolicy: spf))
        #expect(!DKIMCheck.isNonSendingDomain(dmarc: dmarc, dmarcPolicy: nil, spfRecord: "v=spf1 -all", spfPolicy: spf))
    }
}
