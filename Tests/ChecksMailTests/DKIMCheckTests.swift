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
        #expect(DKIMCheck.evaluate(domainKey: .nxdomain, nonSending: false, nonSendingUnknown: true).status == .error)
        #expect(DKIMCheck.evaluate(domainKey: .nxdomain, nonSending: false, nonSendingUnknown: true).findings.contains { $0.code == "dkim-non-sending-unknown" })
        #expect(DKIMCheck.evaluate(domainKey: .exists, nonSending: false, nonSendingUnknown: true).status == .passed)
    }

    /// A failed DMARC or SPF lookup leaves "sends no mail" unknown only where the other half
    /// does not already rule it out.
    @Test func aFailedLookupLeavesNonSendingUnknown() async {
        let psl = PublicSuffixList(text: "nl\n")
        let reject = DMARCCheck.discover(domain: "example.nl", answer: .records(["v=DMARC1; p=reject"]), organisationalAnswer: nil, psl: psl)
        let rejectPolicy = DMARCPolicy.evaluate(record: "v=DMARC1; p=reject", domain: "example.nl", isOrganisationalDomain: false,
                                                psl: psl, authorisations: [:])
        let none = DMARCCheck.discover(domain: "example.nl", answer: .records(["v=DMARC1; p=none"]), organisationalAnswer: nil, psl: psl)
        let nonePolicy = DMARCPolicy.evaluate(record: "v=DMARC1; p=none", domain: "example.nl", isOrganisationalDomain: false,
                                              psl: psl, authorisations: [:])
        let failedDMARC = DMARCCheck.discover(domain: "example.nl", answer: .failure("SERVFAIL"), organisationalAnswer: nil, psl: psl)
        #expect(failedDMARC.status == .error)
        let minusAll = await SPFPolicy.evaluate(record: "v=spf1 -all", domain: "example.nl", resolver: MemoryZone())
        let mx = await SPFPolicy.evaluate(record: "v=spf1 mx -all", domain: "example.nl", resolver: MemoryZone())
        // DMARC failed: unknown if SPF says non-sending or failed too, known (sends) if SPF allows a sender.
        #expect(DKIMCheck.nonSendingIsUnknown(dmarc: failedDMARC, dmarcPolicy: nil, spfStatus: .passed, spfRecord: "v=spf1 -all", spfPolicy: minusAll))
        #expect(DKIMCheck.nonSendingIsUnknown(dmarc: failedDMARC, dmarcPolicy: nil, spfStatus: .error, spfRecord: nil, spfPolicy: nil))
        #expect(!DKIMCheck.nonSendingIsUnknown(dmarc: failedDMARC, dmarcPolicy: nil, spfStatus: .passed, spfRecord: "v=spf1 mx -all", spfPolicy: mx))
        #expect(!DKIMCheck.nonSendingIsUnknown(dmarc: failedDMARC, dmarcPolicy: nil, spfStatus: .failed, spfRecord: nil, spfPolicy: nil))
        // SPF failed: unknown if DMARC rejects, known if DMARC does not.
        #expect(DKIMCheck.nonSendingIsUnknown(dmarc: reject, dmarcPolicy: rejectPolicy, spfStatus: .error, spfRecord: nil, spfPolicy: nil))
        #expect(!DKIMCheck.nonSendingIsUnknown(dmarc: none, dmarcPolicy: nonePolicy, spfStatus: .error, spfRecord: nil, spfPolicy: nil))
        // Nothing failed: known either way.
        #expect(!DKIMCheck.nonSendingIsUnknown(dmarc: reject, dmarcPolicy: rejectPolicy, spfStatus: .passed, spfRecord: "v=spf1 -all", spfPolicy: minusAll))
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
