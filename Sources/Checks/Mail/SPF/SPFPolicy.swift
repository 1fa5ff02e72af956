import PeilModel
/// How Internet.nl classifies an SPF policy (`SpfPolicyStatus`).
public enum SPFPolicyVerdict: String, Sendable, Hashable, Codable {
    case valid
    case invalidSyntax = "invalid_syntax"
    case invalidAll = "invalid_all"
    case maxLookups = "max_dns_lookups"
    case invalidInclude = "invalid_include"
    case invalidRedirect = "invalid_redirect"
    /// An include or redirect could not be looked up (SERVFAIL, timeout): undetermined, not a
    /// failed policy. Internet.nl reads this as unresolvable; Peil does not fail a domain
    /// because a lookup timed out (CHECKS.md, known pitfalls).
    case lookupError = "lookup_error"
}

/// The SPF policy subtest (`spf_policy`) for one record, with everything that explains it.
public struct SPFPolicyResult: Sendable, Hashable {
    public var verdict: SPFPolicyVerdict
    /// Failing findings first come from the record at fault; informational ones may follow.
    public var findings: [Finding]
    /// DNS lookups counted over the record and every include and redirect followed.
    public var lookups: Int
    /// False when includes or the redirect could not be followed (no resolver given): the
    /// verdict then covers only the record itself.
    public var recursionChecked: Bool
    /// Every record read, in order: (domain, record).
    public var records: [SPFVisitedRecord]

    public var status: Status {
        switch verdict {
        case .valid: .passed
        case .lookupError: .error
        default: .failed
        }
    }

    /// As a subtest result (mandatory).
    public var subtest: SubtestResult {
        SubtestResult(name: "spf_policy", status: status, requirement: .mandatory, findings: findings)
    }
}

/// A record read while judging a policy.
public struct SPFVisitedRecord: Sendable, Hashable, Codable {
    public var domain: String
    public var record: String
}

/// Internet.nl's SPF policy rules (`checks/tasks/mail.py`, `spf_check_policy`), on Peil's RFC 7208
/// parser: a syntax error fails; `+all`, `all` and (outside an include) `?all` fail; no `all` and
/// no `redirect` fails; includes are followed, then the redirect when there is no `all`; an
/// include or redirect without exactly one SPF record fails; more than 10 DNS lookups fail.
///
/// Lookup counting under `internetnl-current` follows RFC 7208 §4.6.4 (include, a, mx, ptr,
/// exists, redirect each cost one, over the whole tree); under `internetnl-2021` only includes
/// and redirects followed count, as Internet.nl counted then. See docs/CHECKS-MAIL.md.
public enum SPFPolicy {
    public static let lookupBudget = 10

    /// "the record of <domain>", or "the record" when the domain is not known ("").
    static func recordOf(_ domain: String) -> String {
        domain.isEmpty ? "the record" : "the record of \(domain)"
    }

    /// Judges `record`, published at `domain`. Without a resolver only the record itself is
    /// judged and ``SPFPolicyResult/recursionChecked`` is false.
    public static func evaluate(record: String, domain: String, resolver: (any MailResolver)?,
                                ruleSet: RuleSet = .internetnlCurrent) async -> SPFPolicyResult {
        let walker = SPFPolicyWalker(resolver: resolver, ruleSet: ruleSet)
        let verdict = await walker.walk(record, domain: domain, isInclude: false)
        if verdict == .valid {
            walker.findings.append(Finding("spf-lookups", subject: "\(walker.lookups)",
                                           detail: "\(walker.lookups) DNS lookups of the \(lookupBudget) allowed\(walker.recursionChecked ? "" : " in this record alone (includes and redirect not followed)")"))
        }
        return SPFPolicyResult(verdict: verdict, findings: walker.findings, lookups: walker.lookups,
                               recursionChecked: walker.recursionChecked, records: walker.records)
    }
}

final class SPFPolicyWalker {
    let resolver: (any MailResolver)?
    let ruleSet: RuleSet
    var lookups = 0
    var findings: [Finding] = []
    var records: [SPFVisitedRecord] = []
    var recursionChecked = true
    private var depth = 0

    init(resolver: (any MailResolver)?, ruleSet: RuleSet) {
        self.resolver = resolver
        self.ruleSet = ruleSet
    }

    private func add(_ code: String, _ term: String?, _ sentence: String) {
        findings.append(Finding(code, subject: term, detail: sentence))
    }

    func walk(_ text: String, domain: String, isInclude: Bool) async -> SPFPolicyVerdict {
        records.append(SPFVisitedRecord(domain: domain, record: text))
        let record: SPFRecord
        do { record = try SPFRecord(parsing: text) } catch {
            add("spf-syntax", error.term, "syntax error in the SPF record of \(domain): \(error.message); receivers treat the whole record as an error (permerror)")
            return .invalidSyntax
        }
        var includes: [(term: String, target: SPFMacroString)] = []
        var redirect: (term: String, target: SPFMacroString)?
        var allFound = false
        var budgetTerm: String?
        func spend(_ term: String) {
            guard ruleSet == .internetnlCurrent else { return }
            lookups += 1
            if lookups > SPFPolicy.lookupBudget, budgetTerm == nil { budgetTerm = term }
        }
        for (index, term) in record.terms.enumerated() {
            switch term {
            case .directive(let directive):
                if case .all = directive.mechanism {
                    allFound = true
                    if directive.qualifier == .pass {
                        add("spf-all-pass", directive.term, "'\(directive.term)' in \(SPFPolicy.recordOf(domain)) lets every server on the internet send mail as this domain")
                        return .invalidAll
                    }
                    if directive.qualifier == .neutral, !isInclude {
                        add("spf-all-neutral", directive.term, "'?all' in \(SPFPolicy.recordOf(domain)) says nothing about other servers: receivers treat their mail as if there were no SPF")
                        return .invalidAll
                    }
                    let ignored = record.terms.count - index - 1
                    if ignored > 0 {
                        add("spf-after-all", record.terms[index + 1].text, "\(ignored) term(s) after '\(directive.term)' in \(SPFPolicy.recordOf(domain)) are never evaluated")
                    }
                    break
                }
                if directive.mechanism.costsLookup { spend(directive.term) }
                if case .include(let target) = directive.mechanism { includes.append((directive.term, target)) }
            case .modifier(let name, _, let text):
                if name == "redirect", let target = record.redirect {
                    spend(text)
                    redirect = (text, target)
                }
            }
            if allFound { break }
        }
        if !isInclude, redirect == nil, !allFound {
            add("spf-no-all", nil, "\(SPFPolicy.recordOf(domain)) ends without 'all' and without 'redirect=': mail from other servers gets 'neutral', as if there were no SPF; end it with '-all' or '~all'")
            return .invalidAll
        }
        if let budgetTerm {
            add("spf-too-many-lookups", budgetTerm, "more than \(SPFPolicy.lookupBudget) DNS lookups (the \(SPFPolicy.lookupBudget + 1)th at '\(budgetTerm)' in \(SPFPolicy.recordOf(domain))): receivers stop there with permerror")
            return .maxLookups
        }
        for include in includes {
            let verdict = await follow(include.term, include.target, from: domain, isInclude: true, bad: .invalidInclude)
            if verdict != .valid { return verdict }
        }
        if let redirect {
            if allFound {
                add("spf-redirect-ignored", redirect.term, "'\(redirect.term)' in \(SPFPolicy.recordOf(domain)) is ignored because the record has 'all'")
                return .valid
            }
            return await follow(redirect.term, redirect.target, from: domain, isInclude: false, bad: .invalidRedirect)
        }
        return .valid
    }

    private func follow(_ term: String, _ target: SPFMacroString, from domain: String, isInclude: Bool,
                        bad: SPFPolicyVerdict) async -> SPFPolicyVerdict {
        if ruleSet == .internetnl2021 {
            guard lookups < SPFPolicy.lookupBudget else {
                add("spf-too-many-lookups", term, "more than \(SPFPolicy.lookupBudget) includes and redirects to follow (at '\(term)' in \(SPFPolicy.recordOf(domain)))")
                return .maxLookups
            }
            lookups += 1
        }
        let hasMacro = target.tokens.contains { if case .macro = $0 { return true } else { return false } }
        if hasMacro {
            add("spf-macro-not-followed", term, "'\(term)' depends on the sender (a macro), so it is not followed, as Internet.nl does")
            return .valid
        }
        guard let resolver, depth < 20 else {
            recursionChecked = false
            add("spf-not-followed", term, "'\(term)' was not followed: no resolver, so its record and its lookups are not checked")
            return .valid
        }
        let name = SPFEvaluator.targetName(target.text)
        let answer = await resolver.lookup(name, .txt)
        let spf = answer.records.filter { $0.lowercased().hasPrefix("v=spf1") }
        if case .failure(let why) = answer {
            add("spf-lookup-error", term, "'\(term)' in \(SPFPolicy.recordOf(domain)) could not be looked up (\(why)); the policy is undetermined, not failed")
            return .lookupError
        }
        let problem: String? = switch answer {
        case .failure: nil
        case .nxdomain: "\(name) does not exist"
        case .records: spf.isEmpty ? "\(name) has no SPF record" : spf.count > 1 ? "\(name) has \(spf.count) SPF records" : nil
        }
        if let problem {
            add(bad == .invalidInclude ? "spf-include-unresolvable" : "spf-redirect-unresolvable", term,
                "'\(term)' in \(SPFPolicy.recordOf(domain)) cannot be followed: \(problem); receivers return permerror")
            return bad
        }
        depth += 1
        let verdict = await walk(spf[0], domain: name, isInclude: isInclude)
        depth -= 1
        if verdict == .valid || verdict == .maxLookups || verdict == .lookupError { return verdict }
        add(bad == .invalidInclude ? "spf-include-invalid" : "spf-redirect-invalid", term,
            "'\(term)' in \(SPFPolicy.recordOf(domain)) leads to a record that fails (see above)")
        return bad
    }
}
