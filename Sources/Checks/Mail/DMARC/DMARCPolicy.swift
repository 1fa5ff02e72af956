import PeilModel
/// Internet.nl's DMARC policy classification (`DmarcPolicyStatus`).
public enum DMARCPolicyVerdict: String, Sendable, Hashable, Codable {
    case valid
    case invalidSyntax = "invalid_syntax"
    /// `p` (or `sp` at the organisational domain) missing, `none`, or `quarantine` in test mode.
    case invalidPolicy = "invalid_p_sp"
    /// An external report destination has not authorised the domain.
    case invalidExternal = "invalid_external"
}

/// The DMARC policy subtest (`dmarc_policy`) with what explains it.
public struct DMARCPolicyResult: Sendable, Hashable {
    public var verdict: DMARCPolicyVerdict
    public var findings: [Finding]
    public var record: DMARCRecord?
    /// False when some external destination's authorisation was not looked up.
    public var externalChecked: Bool

    /// valid → passed; invalid_external → warning (Internet.nl's notice); else failed.
    public var status: Status {
        switch verdict {
        case .valid: .passed
        case .invalidExternal: .warning
        case .invalidSyntax, .invalidPolicy: .failed
        }
    }

    public var subtest: SubtestResult {
        SubtestResult(name: "dmarc_policy", status: status, requirement: .mandatory, findings: findings)
    }
}

/// Internet.nl's DMARC policy rules (`dmarc_check_policy`): the record must parse; the policy
/// in force (`p`, or `sp` when present for a record found at the organisational domain) must
/// be quarantine or reject, and not quarantine with `t=y` (DMARCbis, `internetnl-current`
/// only); every `rua`/`ruf` host outside the domain's organisational domain must publish one
/// valid DMARC record at `<domain>._report._dmarc.<host>`, else a warning.
public enum DMARCPolicy {
    /// The authorisation names to ask (TXT) for `record` found at `domain`.
    public static func authorisationQueries(record: String, domain: String, psl: PublicSuffixList,
                                            ruleSet: RuleSet = .internetnlCurrent) -> [String] {
        guard let parsed = try? DMARCParser.parse(record, ruleSet: ruleSet) else { return [] }
        return externalHosts(parsed, domain: domain, psl: psl).map { authorisationName(domain: domain, host: $0) }
    }

    /// `<domain>._report._dmarc.<host>`.
    public static func authorisationName(domain: String, host: String) -> String {
        "\(PublicSuffixList.normalise(domain))._report._dmarc.\(host)"
    }

    static func externalHosts(_ record: DMARCRecord, domain: String, psl: PublicSuffixList) -> [String] {
        let own = psl.organisationalDomain(of: domain) ?? ""
        var hosts: [String] = []
        for (_, uri) in record.reportURIs {
            guard let host = DMARCRecord.reportHost(uri), !hosts.contains(host) else { continue }
            if (psl.organisationalDomain(of: host) ?? "") != own { hosts.append(host) }
        }
        return hosts
    }

    /// Judges `record`, found at `domain` (the organisational domain when
    /// `isOrganisationalDomain`). `authorisations` maps ``authorisationQueries(record:domain:psl:ruleSet:)``
    /// names to their TXT answers; nil (or a missing name) means not looked up: then the
    /// external check is left open, never passed silently (``DMARCPolicyResult/externalChecked``).
    public static func evaluate(record text: String, domain: String, isOrganisationalDomain: Bool,
                                psl: PublicSuffixList, authorisations: [String: MailDNSAnswer]?,
                                ruleSet: RuleSet = .internetnlCurrent) -> DMARCPolicyResult {
        let record: DMARCRecord
        do { record = try DMARCParser.parse(text, ruleSet: ruleSet) } catch {
            return DMARCPolicyResult(verdict: .invalidSyntax, findings: [Finding("dmarc-syntax", subject: error.part, detail: error.message)],
                                     record: nil, externalChecked: false)
        }
        var findings: [Finding] = []
        func fail(_ code: String, _ subject: String?, _ sentence: String) -> DMARCPolicyResult {
            findings.append(Finding(code, subject: subject, detail: sentence))
            return DMARCPolicyResult(verdict: .invalidPolicy, findings: findings, record: record, externalChecked: false)
        }
        let useSubdomainPolicy = isOrganisationalDomain && record.value("sp") != nil
        let tag = useSubdomainPolicy ? "sp" : "p"
        guard let value = useSubdomainPolicy ? record.subdomainPolicy : record.policy else {
            return fail("dmarc-policy-missing", nil, "no 'p=' tag: receivers act as if there were no DMARC policy; add 'p=quarantine' or 'p=reject' right after 'v=DMARC1;'")
        }
        if isOrganisationalDomain {
            findings.append(Finding("dmarc-organisational", subject: domain, detail: "the record was found at the organisational domain \(domain), so its '\(tag)=' applies"))
        }
        if value == .none {
            let whom = tag == "sp" ? "'sp=none' at the organisational domain: subdomains such as this one are only monitored" : "'p=none' only monitors: receivers deliver mail that fails DMARC as usual"
            return fail("dmarc-policy-none", "\(tag)=\(record.value(tag) ?? "none")", "\(whom); use quarantine or reject")
        }
        if ruleSet == .internetnlCurrent, record.testing, value == .quarantine {
            return fail("dmarc-testing-quarantine", "t=\(record.value("t") ?? "y")", "'t=y' with '\(tag)=quarantine' asks receivers to apply one step less (none): remove 't=y' or use reject")
        }
        findings.append(Finding("dmarc-policy", subject: "\(tag)=\(record.value(tag) ?? value.rawValue)", detail: "policy \(value.rawValue)"))
        var verdict = DMARCPolicyVerdict.valid
        var checked = true
        for host in externalHosts(record, domain: domain, psl: psl) {
            let name = authorisationName(domain: domain, host: host)
            guard let answer = authorisations?[name] else {
                checked = false
                findings.append(Finding("dmarc-external-not-checked", subject: host, detail: "reports go to \(host), outside this domain; its authorisation record \(name) was not looked up"))
                continue
            }
            let valid = answer.records.filter { (try? DMARCParser.parse($0, ruleSet: ruleSet)) != nil }
            if valid.count == 1 {
                findings.append(Finding("dmarc-external-authorised", subject: host, detail: "\(host) accepts reports for this domain (\(name))"))
            } else {
                verdict = .invalidExternal
                let why = switch answer {
                case .failure(let reason): "its lookup failed (\(reason))"
                case .nxdomain: "it does not exist"
                case .records(let list): valid.count > 1 ? "it holds \(valid.count) DMARC records" : list.isEmpty ? "it has no TXT record" : "it holds no valid DMARC record ('v=DMARC1;' with the ';')"
                }
                findings.append(Finding("dmarc-external-unauthorised", subject: host,
                                        detail: "reports go to \(host), which has not authorised this domain: \(name) must hold 'v=DMARC1;', but \(why); receivers will not send reports there"))
            }
        }
        return DMARCPolicyResult(verdict: verdict, findings: findings, record: record, externalChecked: checked)
    }

    /// Whether a DMARC record says the domain sends no mail, as Internet.nl reads it
    /// (`DMARC_NON_SENDING_POLICY`, and `…_ORG` for a record at the organisational domain,
    /// where `sp=reject`, or `p=reject` without any `sp=`, counts). Case-sensitive.
    public static func isNonSending(_ record: String, isOrganisationalDomain: Bool) -> Bool {
        guard record.hasPrefix("v=DMARC1;") else { return false }
        let rest = record.dropFirst(9)
        let afterSpaces = rest.drop { $0 == " " }
        let rejectFirst = afterSpaces.hasPrefix("p=reject")
        guard isOrganisationalDomain else { return rejectFirst }
        return rest.contains("sp=reject") || (rejectFirst && !afterSpaces.dropFirst(8).contains("sp="))
    }
}
