import PeilModel

/// The DKIM subtest (`dkim`) as Internet.nl decides it (`do_dkim`, and
/// `skip_dkim_for_non_sending_domain`): `_domainkey.<domain>` answering NOERROR (with or without
/// data) passes, NXDOMAIN fails, no answer is an error; when it does not exist and DMARC and SPF
/// both say the domain sends no mail, the subtest is not tested. One deviation: when it does not
/// exist and the DMARC or SPF lookup failed where the other half could still make the domain a
/// non-sending one, whether DKIM applies is unknown, so `error` (Internet.nl: `failed`, as its
/// `skip_dkim_for_non_sending_domain` in `checks/tasks/mail.py` reads a failed lookup as "sends mail").
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

    /// Whether a failed lookup hides what ``isNonSendingDomain(dmarc:dmarcPolicy:spfRecord:spfPolicy:)``
    /// would say: the DMARC or the SPF lookup failed (`spfStatus` is the SPF existence subtest's
    /// status), and the other half failed too or says the domain sends no mail.
    public static func nonSendingIsUnknown(dmarc: DMARCDiscovery, dmarcPolicy: DMARCPolicyResult?, spfStatus: Status,
                                           spfRecord: String?, spfPolicy: SPFPolicyResult?) -> Bool {
        let dmarcFailed = dmarc.status == .error
        let spfFailed = spfStatus == .error
        guard dmarcFailed || spfFailed else { return false }
        let dmarcSaysNonSending = dmarc.record.map {
            dmarcPolicy?.verdict == .valid && DMARCPolicy.isNonSending($0, isOrganisationalDomain: dmarc.isOrganisationalDomain)
        } ?? false
        let spfSaysNonSending = spfRecord.map { spfPolicy?.verdict == .valid && SPFCheck.isNonSending($0) } ?? false
        return (dmarcFailed || dmarcSaysNonSending) && (spfFailed || spfSaysNonSending)
    }

    /// Decides the subtest. `wildcard` is the presence of ``wildcardProbeName(domain:nonce:)``
    /// when it was asked: existing means a wildcard, flagged as a finding (the status stays as
    /// Internet.nl gives it). `nonSendingUnknown` (see ``nonSendingIsUnknown(dmarc:dmarcPolicy:spfStatus:spfRecord:spfPolicy:)``)
    /// turns a missing `_domainkey` into `error`.
    public static func evaluate(domainKey: DomainKeyPresence, wildcard: DomainKeyPresence? = nil,
                                nonSending: Bool, nonSendingUnknown: Bool = false) -> SubtestResult {
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
        } else if domainKey == .nxdomain, nonSendingUnknown {
            status = .error
            findings.append(Finding("dkim-non-sending-unknown", detail: "the DMARC or SPF lookup failed, so whether the domain sends mail (and DKIM applies) is unknown"))
        }
        if wildcard == .exists {
            findings.append(Finding("dkim-wildcard", subject: "*._domainkey", detail: "a name nobody publishes under _domainkey exists too: a wildcard answers, so the existence of _domainkey proves nothing about DKIM keys"))
        }
        return SubtestResult(name: "dkim", status: status, requirement: .mandatory, findings: findings)
    }
}
