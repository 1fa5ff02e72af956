import PeilModel

/// The DNS-decidable mail bulk columns of one domain, in the status words of the government
/// report (`data/README.md`): `dmarc`, `dkim`, `spf`, `dmarc_policy`, `spf_policy`, `dnssec_mx`.
/// The other six need SMTP (starttls, starttls_ncsc, dane, ipv6_mailserver, ipv6_mail) or
/// belong to the nameserver test (ipv6_nameserver).
public struct MailColumns: Codable, Sendable, Hashable {
    public var domain: String
    public var dmarc: Status
    public var dkim: Status
    public var spf: Status
    public var dmarcPolicy: Status
    public var spfPolicy: Status
    public var dnssecMX: Status
    /// Why each column is what it is: the findings of the subtests, one line per column.
    public var because: [String: String]

    enum CodingKeys: String, CodingKey {
        case domain, dmarc, dkim, spf, because
        case dmarcPolicy = "dmarc_policy", spfPolicy = "spf_policy", dnssecMX = "dnssec_mx"
    }

    /// The statuses by their bulk names.
    public var columns: [String: Status] {
        ["dmarc": dmarc, "dkim": dkim, "spf": spf, "dmarc_policy": dmarcPolicy, "spf_policy": spfPolicy, "dnssec_mx": dnssecMX]
    }

    /// The cells (status and why) by their bulk names.
    public var cells: [String: StatusCell] {
        Dictionary(uniqueKeysWithValues: columns.map { name, status in (name, StatusCell(status, because[name] ?? "")) })
    }

    /// Derives the columns from a stored resolution under `ruleSet`. Pure: questions the
    /// resolution did not ask count as failed lookups (status `error`), never as absent.
    public static func evaluate(_ observation: ResolutionObservation, ruleSet: RuleSet, psl: PublicSuffixList) async -> MailColumns {
        await judge(observation, ruleSet: ruleSet, psl: psl).columns
    }

    /// The columns and the mail-authentication subtests they are drawn from (which the
    /// per-domain subtests surface).
    public static func judge(_ observation: ResolutionObservation, ruleSet: RuleSet, psl: PublicSuffixList) async
        -> (columns: MailColumns, auth: MailAuthColumns) {
        let facts = observation.facts
        let resolver = StoredMailResolver(observation.queries)
        let auth = await MailAuthColumns.evaluate(domain: facts.domain, resolver: resolver, psl: psl, ruleSet: ruleSet)
        var dkim = auth.dkim.status == .notTested ? .notApplicable : auth.dkim.status
        // The 2021 report's reading: a `_domainkey` that exists only through a wildcard is info.
        if ruleSet == .internetnl2021, auth.dkim.status == .passed {
            if auth.dkimWildcard { dkim = .info }
            // Whether it exists only through a wildcard is unknown when the probe's lookup failed.
            if auth.dkimWildcardUnknown { dkim = .error }
        }
        let mx = MailExchangerDNSSEC.column(facts, mxAnswer: resolver.record(facts.domain, .mx), ruleSet: ruleSet)
        func explain(_ subtest: SubtestResult) -> String {
            subtest.findings.map { [$0.code, $0.subject].compactMap { $0 }.joined(separator: " ") }.joined(separator: "; ")
        }
        let columns = MailColumns(
            domain: facts.domain, dmarc: auth.dmarc.status, dkim: dkim, spf: auth.spf.status,
            dmarcPolicy: auth.dmarcPolicy.status, spfPolicy: auth.spfPolicy.status, dnssecMX: mx.status,
            because: ["dmarc": explain(auth.dmarc), "dkim": explain(auth.dkim), "spf": explain(auth.spf),
                      "dmarc_policy": explain(auth.dmarcPolicy), "spf_policy": explain(auth.spfPolicy), "dnssec_mx": mx.because])
        return (columns, auth)
    }
}

/// The `dnssec_mx` column with MX discovery (CHECKS.md): a null MX alone → not_tested; a null
/// MX next to other MX → warning; no MX but an address → info; no MX and no address →
/// not_tested (`internetnl-2021`, as the 2021 report says) or no_mx (`internetnl-current`);
/// else passed when every MX host name is DNSSEC-secure, error when one could not be looked
/// up, else failed.
public enum MailExchangerDNSSEC {
    public static func column(_ facts: DNSFacts, mxAnswer: DNSQueryRecord?, ruleSet: RuleSet) -> StatusCell {
        guard let mxAnswer, mxAnswer.rcode == "NOERROR" || mxAnswer.rcode == "NXDOMAIN" else {
            return StatusCell(.error, "the MX lookup failed (\(mxAnswer?.rcode ?? "not asked"))")
        }
        let hosts = facts.mx.filter { !$0.host.isEmpty }
        if hosts.isEmpty {
            if facts.nullMX { return StatusCell(.notTested, "null MX: receives no mail") }
            if !facts.domainAddresses.ipv4.isEmpty || !facts.domainAddresses.ipv6.isEmpty {
                return StatusCell(.info, "no MX, but the domain has A/AAAA")
            }
            return StatusCell(ruleSet == .internetnl2021 ? .notTested : .noMX, "no MX and no address")
        }
        if hosts.count != facts.mx.count { return StatusCell(.warning, "null MX next to other MX records") }
        let described = hosts.map { "\($0.host) \($0.dnssec.rawValue)" }.joined(separator: ", ")
        if hosts.allSatisfy({ $0.dnssec == .secure }) { return StatusCell(.passed, described) }
        if hosts.contains(where: { $0.dnssec == .error }) { return StatusCell(.error, described) }
        return StatusCell(.failed, described)
    }
}
