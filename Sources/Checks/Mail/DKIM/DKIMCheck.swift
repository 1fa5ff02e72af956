import PeilModel

/// The DKIM subtest (`dkim`) as Internet.nl decides it (`do_dkim`, and
/// `skip_dkim_for_non_sending_domain`): `_domainkey.<domain>` answering NOERROR (with or without
/// data) passes, NXDOMAIN fails, no answer is an error; when it does not exist and DMARC and SPF
/// both say the domain sends no mail, the subtest is not tested.
public enum DKIMCheck {
    /// The name whose answer shows a wildcard: a selector nobody publishes. If it exists, so
    /// does every other name under `_domainkey`, and existence says nothing about keys.
    public static func wildcardProbeName(domain: String, nonce: String = "peil-wildcard-probe") -> String {
        "\(nonce)._domainkey.\(PublicSuffixList.normalise(domain))"
    }

    /// Whether DMARC and SPF say the domain sends no mail (Internet.nl's conditions): a valid
    /// DMARC policy that rejects (see ``DMARCPolicy/isNonSending(_:isOrganisationalDomain:)``)
    /// and a valid SPF policy that is exactly `v=spf1 -all` (``SPFCheck/isNonSending(_:)``).
    public static func isNonSendingDomain(dmarc: DMARCDiscovery, dmarcPolicy: DMARCPolicyResult?,
                                          spfRecord: String?, spfPolicy: SPFPolicyResult?) -> Bool {
        guard let record = dmarc.record, dmarcPolicy?.verdict == .valid,
              DMARCPolicy.isNonSending(record, isOrganisationalDomain: dmarc.isOrganisationalDomain),
              let spfRecord, spfPolicy?.verdict == .valid else { return false }
        return SPFCheck.isNonSending(spfRecord)
    }

    /// Decides the subtest. `wildcard` is the presence of ``wildcardProbeName(domain:nonce:)``
    /// when it was asked: existing means a wildcard, flagged as a finding (the status stays as
    /// Internet.nl gives it).
    public static func evaluate(domainKey: DomainKeyPresence, wildcard: DomainKeyPresence? = nil,
                                nonSending: Bool) -> SubtestResult {
        var findings: [Finding] = []
        var status: Status
        switch domainKey {
        case .exists:
            status = .passed
            findings.append(Finding("dkim-domainkey-exists", subject: "_domainkey", detail: "_domainkey exists (NOERROR), so DKIM keys are assumed to be published"))
        case .nxdomain:
            status = .failed
            findings.append(Finding("dkim-domainkey-missing", subject: "_domainkey", detail: "_domainkey does not exist (NXDOMAIN): no DKIM keys are published under it"))
        case .error:
            status = .error
            findings.append(Finding("dkim-lookup-failed", subject: "_domainkey", detail: "the _domainkey lookup got no usable answer"))
        }
        if domainKey != .exists, nonSending {
            status = .notTested
            findings.append(Finding("dkim-non-sending", detail: "DMARC p=reject and SPF 'v=spf1 -all': the domain sends no mail, so DKIM does not apply"))
        }
        if wildcard == .exists {
            findings.append(Finding("dkim-wildcard", subject: "*._domainkey", detail: "a name nobody publishes under _domainkey exists too: a wildcard answers, so the existence of _domainkey proves nothing about DKIM keys"))
        }
        return SubtestResult(name: "dkim", status: status, requirement: .mandatory, findings: findings)
    }
}
