import PeilModel

/// The DNS-decidable mail bulk columns of one domain, in the status words of the government
/// report (`data/README.md`): `dmarc`, `dkim`, `spf`, `dmarc_policy`, `spf_policy`, `dnssec_mx`.
/// The other six need SMTP (starttls, starttls_ncsc, dane, ipv6_mailserver, ipv6_mail) or
/// belong to the nameserver test (ipv6_nameserver).
public struct MailColumns: Codable, Sendable, Hashable {
    public var domain: String
    public var dmarc: String
    public var dkim: String
    public var spf: String
    public var dmarcPolicy: String
    public var spfPolicy: String
    public var dnssecMX: String
    /// Why each column is what it is: the findings of the subtests, one line per column.
    public var because: [String: String]

    enum CodingKeys: String, CodingKey {
        case domain, dmarc, dkim, spf, because
        case dmarcPolicy = "dmarc_policy", spfPolicy = "spf_policy", dnssecMX = "dnssec_mx"
    }

    /// The columns by their bulk names.
    public var columns: [String: String] {
        ["dmarc": dmarc, "dkim": dkim, "spf": spf, "dmarc_policy": dmarcPolicy, "spf_policy": spfPolicy, "dnssec_mx": dnssecMX]
    }

    /// Derives the columns from a stored resolution under `ruleSet`. Pure: questions the
    /// resolution did not ask count as failed lookups (status `error`), never as absent.
    public static func evaluate(_ observation: ResolutionObservation, ruleSet: RuleSet, psl: PublicSuffixList) async -> MailColumns {
        let facts = observation.facts
        let resolver = StoredMailResolver(observation.queries)
        let auth = await MailAuthColumns.evaluate(domain: facts.domain, resolver: resolver, psl: psl, ruleSet: ruleSet)
        var dkim = auth.dkim.status == .notTested ? "not_applicable" : auth.dkim.status.rawValue
        // The 2021 report's reading: a `_domainkey` that exists only through a wildcard is info.
        if ruleSet == .internetnl2021, auth.dkimWildcard, auth.dkim.status == .passed { dkim = "info" }
        let mx = MailExchangerDNSSEC.column(facts, mxAnswer: resolver.record(facts.domain, .mx), ruleSet: ruleSet)
        func explain(_ subtest: SubtestResult) -> String {
            subtest.findings.map { [$0.code, $0.subject].compactMap { $0 }.joined(separator: " ") }.joined(separator: "; ")
        }
        return MailColumns(
            domain: facts.domain, dmarc: auth.dmarc.status.rawValue, dkim: dkim, spf: auth.spf.status.rawValue,
            dmarcPolicy: auth.dmarcPolicy.status.rawValue, spfPolicy: auth.spfPolicy.status.rawValue, dnssecMX: mx.status,
            because: ["dmarc": explain(auth.dmarc), "dkim": explain(auth.dkim), "spf": explain(auth.spf),
                      "dmarc_policy": explain(auth.dmarcPolicy), "spf_policy": explain(auth.spfPolicy), "dnssec_mx": mx.because])
    }
}

/// The `dnssec_mx` column with MX discovery (CHECKS.md): a null MX alone → not_tested; a null
/// MX next to other MX → warning; no MX but an address → info; no MX and no address →
/// not_tested (`internetnl-2021`, as the 2021 report says) or no_mx (`internetnl-current`);
/// else passed when every MX host name is DNSSEC-secure, error when one could not be looked
/// up, else failed.
public enum MailExchangerDNSSEC {
    public static func column(_ facts: DNSFacts, mxAnswer: DNSQueryRecord?, ruleSet: RuleSet) -> (status: String, because: String) {
        guard let mxAnswer, mxAnswer.rcode == "NOERROR" || mxAnswer.rcode == "NXDOMAIN" else {
            return ("error", "the MX lookup failed (\(mxAnswer?.rcode ?? "not asked"))")
        }
        let hosts = facts.mx.filter { !$0.host.isEmpty }
        if hosts.isEmpty {
            if facts.nullMX { return ("not_tested", "null MX: receives no mail") }
            if !facts.domainAddresses.ipv4.isEmpty || !facts.domainAddresses.ipv6.isEmpty {
                return ("info", "no MX, but the domain has A/AAAA")
            }
            return (ruleSet == .internetnl2021 ? "not_tested" : "no_mx", "no MX and no address")
        }
        if hosts.count != facts.mx.count { return ("warning", "null MX next to other MX records") }
        let described = hosts.map { "\($0.host) \($0.dnssec.rawValue)" }.joined(separator: ", ")
        if hosts.allSatisfy({ $0.dnssec == .secure }) { return ("passed", described) }
        if hosts.contains(where: { $0.dnssec == .error }) { return ("error", described) }
        return ("failed", described)
    }
}
