import PeilModel

/// The five mail-authentication bulk columns (`dmarc`, `dmarc_policy`, `spf`, `spf_policy`,
/// `dkim`) of one domain, decided by the subtests over a ``StoredMailResolver``, with the
/// subtests that explain them.
public struct MailAuthColumns: Sendable, Hashable {
    public var dmarc: SubtestResult
    public var dmarcPolicy: SubtestResult
    public var spf: SubtestResult
    public var spfPolicy: SubtestResult
    public var dkim: SubtestResult
    /// What the `_domainkey` wildcard probe found (nil: not asked).
    public var dkimWildcardProbe: DomainKeyPresence?
    /// The `_domainkey` wildcard probe answered NOERROR.
    public var dkimWildcard: Bool { dkimWildcardProbe == .exists }
    /// The `_domainkey` wildcard probe's lookup failed.
    public var dkimWildcardUnknown: Bool { dkimWildcardProbe == .error }

    /// Runs the subtests for `domain`. Every question goes to `resolver`; questions it cannot
    /// answer are recorded there (``StoredMailResolver/missingTXT``).
    public static func evaluate(domain rawDomain: String, resolver: StoredMailResolver, psl: PublicSuffixList,
                                ruleSet: RuleSet) async -> MailAuthColumns {
        let domain = PublicSuffixList.normalise(rawDomain)
        let txt = resolver.answer(domain, .txt)
        let spf = SPFCheck.existence(txt)
        let spfRecords = SPFCheck.records(txt.records)
        var spfResult: SPFPolicyResult?
        let spfPolicy: SubtestResult
        if spf.status == .passed {
            let result = await SPFPolicy.evaluate(record: spfRecords[0], domain: domain, resolver: resolver, ruleSet: ruleSet)
            spfResult = result
            spfPolicy = result.subtest
        } else {
            spfPolicy = SubtestResult(name: "spf_policy", status: spf.status == .error ? .error : .failed, requirement: .mandatory,
                                      findings: [Finding("spf-policy-no-record", detail: "no single SPF record to judge")])
        }

        let answer = resolver.answer(DMARCCheck.queryName(domain), .txt)
        let fallback = DMARCCheck.fallbackDomain(for: domain, answer: answer, psl: psl)
        let discovery = DMARCCheck.discover(domain: domain, answer: answer,
                                            organisationalAnswer: fallback.map { resolver.answer(DMARCCheck.queryName($0), .txt) }, psl: psl)
        var dmarcResult: DMARCPolicyResult?
        let dmarcPolicy: SubtestResult
        if let record = discovery.record {
            let publisher = discovery.foundAt ?? domain
            var authorisations: [String: MailDNSAnswer] = [:]
            for name in DMARCPolicy.authorisationQueries(record: record, domain: publisher, psl: psl, ruleSet: ruleSet) {
                authorisations[name] = resolver.answer(name, .txt)
            }
            let result = DMARCPolicy.evaluate(record: record, domain: publisher, isOrganisationalDomain: discovery.isOrganisationalDomain,
                                              psl: psl, authorisations: authorisations, ruleSet: ruleSet)
            dmarcResult = result
            dmarcPolicy = result.subtest
        } else {
            dmarcPolicy = SubtestResult(name: "dmarc_policy", status: discovery.status == .error ? .error : .failed, requirement: .mandatory,
                                        findings: [Finding("dmarc-policy-no-record", detail: "no single DMARC record to judge")])
        }

        let spfRecord = spfRecords.count == 1 ? spfRecords[0] : nil
        let nonSending = DKIMCheck.isNonSendingDomain(dmarc: discovery, dmarcPolicy: dmarcResult,
                                                      spfRecord: spfRecord, spfPolicy: spfResult)
        let nonSendingUnknown = DKIMCheck.nonSendingIsUnknown(dmarc: discovery, dmarcPolicy: dmarcResult, spfStatus: spf.status,
                                                              spfRecord: spfRecord, spfPolicy: spfResult)
        let wildcard = presence(resolver.record(DKIMCheck.wildcardProbeName(domain: domain), .txt))
        let dkim = DKIMCheck.evaluate(domainKey: presence(resolver.record("_domainkey." + domain, .txt)) ?? .error,
                                      wildcard: wildcard, nonSending: nonSending, nonSendingUnknown: nonSendingUnknown)
        return MailAuthColumns(dmarc: discovery.subtest, dmarcPolicy: dmarcPolicy, spf: spf, spfPolicy: spfPolicy,
                               dkim: dkim, dkimWildcardProbe: wildcard)
    }

    /// `_domainkey` presence from a stored answer's response code; nil when not asked.
    static func presence(_ record: DNSQueryRecord?) -> DomainKeyPresence? {
        guard let record else { return nil }
        switch record.rcode {
        case "NOERROR": return .exists
        case "NXDOMAIN": return .nxdomain
        default: return .error
        }
    }
}
