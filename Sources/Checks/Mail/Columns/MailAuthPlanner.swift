import PeilModel

/// Names the TXT records the mail-authentication verdicts need beyond a resolution's fixed
/// questions, from the answers so far: the DMARC record at the organisational domain (when the
/// domain has none), the `<domain>._report._dmarc.<host>` authorisation of every external
/// report destination, the next records of the SPF include/redirect tree, and the DKIM
/// wildcard probe. Pure: it runs the verdicts over a ``StoredMailResolver`` under every rule
/// set and returns what they asked for but was not there, so the resolution asks exactly
/// what re-evaluation will read. Asked round by round until nothing is missing (the SPF walk
/// stops at its own lookup budget; the resolution caps rounds and questions).
public struct MailAuthPlanner: Sendable {
    public let psl: PublicSuffixList

    public init(psl: PublicSuffixList) {
        self.psl = psl
    }

    /// The TXT names to ask next for `domain`, given every answer so far.
    public func nextTXTNames(domain: String, answers: [DNSQueryRecord]) async -> [String] {
        let resolver = StoredMailResolver(answers)
        var names: [String] = []
        if resolver.record(DKIMCheck.wildcardProbeName(domain: domain), .txt) == nil {
            names.append(DKIMCheck.wildcardProbeName(domain: domain))
        }
        for ruleSet in RuleSet.allCases {
            _ = await MailAuthColumns.evaluate(domain: domain, resolver: resolver, psl: psl, ruleSet: ruleSet)
        }
        for name in resolver.missingTXT where !names.contains(name) { names.append(name) }
        return names
    }
}
