import PeilModel
/// Where the DMARC record was found, and the existence subtest (`dmarc`).
public struct DMARCDiscovery: Sendable, Hashable {
    public var status: Status
    /// The one DMARC record, when found.
    public var record: String?
    /// The domain whose `_dmarc` name holds it.
    public var foundAt: String?
    /// True when it was found at the organisational domain, not the domain itself.
    public var isOrganisationalDomain: Bool
    public var findings: [Finding]

    public var subtest: SubtestResult {
        SubtestResult(name: "dmarc", status: status, requirement: .mandatory, findings: findings)
    }
}

/// DMARC discovery as Internet.nl does it (`_dmarc_dns_lookup`, `do_dmarc`): TXT at
/// `_dmarc.<domain>` filtered to records starting `v=DMARC1` (any case); exactly one passes,
/// several fail; none (or NXDOMAIN, or no data) → the same at the organisational domain; a
/// failed lookup is an error. Pure: the caller asks DNS, see ``fallbackDomain(for:answer:psl:)``.
public enum DMARCCheck {
    /// `_dmarc.<domain>`.
    public static func queryName(_ domain: String) -> String { "_dmarc." + PublicSuffixList.normalise(domain) }

    /// The TXT records that count as DMARC records.
    public static func records(_ txt: [String]) -> [String] {
        txt.filter { $0.lowercased().hasPrefix("v=dmarc1") }
    }

    /// The organisational domain to ask next, when the domain's own answer has no DMARC record;
    /// nil when no second question is needed (or it would ask the same name again).
    public static func fallbackDomain(for domain: String, answer: MailDNSAnswer, psl: PublicSuffixList) -> String? {
        if case .failure = answer { return nil }
        guard records(answer.records).isEmpty, let organisational = psl.organisationalDomain(of: domain),
              organisational != PublicSuffixList.normalise(domain) else { return nil }
        return organisational
    }

    /// Decides the `dmarc` subtest from the answer at the domain and, when
    /// ``fallbackDomain(for:answer:psl:)`` named one, the answer at the organisational domain.
    public static func discover(domain: String, answer: MailDNSAnswer, organisationalAnswer: MailDNSAnswer?,
                                psl: PublicSuffixList) -> DMARCDiscovery {
        let name = PublicSuffixList.normalise(domain)
        if let outcome = judge(answer, at: name, organisational: false) { return outcome }
        guard let organisational = fallbackDomain(for: name, answer: answer, psl: psl) else {
            return DMARCDiscovery(status: .failed, record: nil, foundAt: nil, isOrganisationalDomain: false,
                                  findings: [Finding("dmarc-missing", subject: queryName(name), detail: "no DMARC record at \(queryName(name)), and no organisational domain above it to fall back to")])
        }
        guard let organisationalAnswer else {
            return DMARCDiscovery(status: .error, record: nil, foundAt: nil, isOrganisationalDomain: true,
                                  findings: [Finding("dmarc-not-asked", subject: queryName(organisational), detail: "no DMARC record at \(queryName(name)); \(queryName(organisational)) was not asked")])
        }
        if let outcome = judge(organisationalAnswer, at: organisational, organisational: true) { return outcome }
        return DMARCDiscovery(status: .failed, record: nil, foundAt: nil, isOrganisationalDomain: true,
                              findings: [Finding("dmarc-missing", subject: queryName(name), detail: "no DMARC record at \(queryName(name)) nor at the organisational domain's \(queryName(organisational))")])
    }

    /// The outcome of one answer, or nil to go on to the organisational domain.
    private static func judge(_ answer: MailDNSAnswer, at domain: String, organisational: Bool) -> DMARCDiscovery? {
        if case .failure(let why) = answer {
            return DMARCDiscovery(status: .error, record: nil, foundAt: nil, isOrganisationalDomain: organisational,
                                  findings: [Finding("dmarc-lookup-failed", subject: queryName(domain), detail: "the TXT lookup of \(queryName(domain)) failed: \(why)")])
        }
        let found = records(answer.records)
        if found.count == 1 {
            let detail = organisational ? "one DMARC record, at the organisational domain \(domain)" : "one DMARC record"
            return DMARCDiscovery(status: .passed, record: found[0], foundAt: domain, isOrganisationalDomain: organisational,
                                  findings: [Finding("dmarc-found", subject: found[0], detail: detail)])
        }
        if found.count > 1 {
            return DMARCDiscovery(status: .failed, record: nil, foundAt: domain, isOrganisationalDomain: organisational,
                                  findings: [Finding("dmarc-multiple", subject: found.joined(separator: " | "), detail: "\(found.count) DMARC records at \(queryName(domain)): receivers ignore them all; publish exactly one")])
        }
        return nil
    }
}
