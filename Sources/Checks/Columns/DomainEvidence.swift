import PeilModel

/// What the web and mail-server verdicts of one domain are drawn from: its resolved facts and
/// the connect probes of its endpoints. A probe that never gave a result (not testable, or still queued)
/// is absent; the verdicts then say `error`, never `failed`.
public struct DomainEvidence: Sendable, Hashable {
    public var facts: DNSFacts
    /// `reach` results by address (every A and AAAA of the web host).
    public var reach: [String: ReachObservation]
    /// `nameserver` results by IPv6 address.
    public var nameservers: [String: NameserverObservation]
    /// `web` results by address (one IPv4 and one IPv6 address of the web host).
    public var web: [String: WebObservation]
    /// `mail` results by address (every address of every MX host).
    public var mail: [String: MailServerObservation]
    /// Questions the resolution asked without a usable answer (timeout, SERVFAIL, error), as
    /// "name TYPE": an empty answer to one of them is unknown, not absent.
    public var failedLookups: Set<String>
    /// Why a connect task gave no result, by "kind address" ("web 10.1.2.3"): the task's last
    /// error (an agent's refusal reads "not probed: 10.1.2.3 is a special-purpose address (…)").
    public var unprobed: [String: String]

    public init(facts: DNSFacts, reach: [String: ReachObservation] = [:], nameservers: [String: NameserverObservation] = [:],
                web: [String: WebObservation] = [:], mail: [String: MailServerObservation] = [:], failedLookups: Set<String> = [],
                unprobed: [String: String] = [:]) {
        self.facts = facts
        self.reach = reach
        self.nameservers = nameservers
        self.web = web
        self.mail = mail
        self.failedLookups = failedLookups
        self.unprobed = unprobed
    }

    /// Why the `kind` probe of `address` has no result: the task's last error; without a task,
    /// the cap that left it out of the plan, else the special-purpose block that a `public`
    /// target policy refused it for (``ConnectPlanner``), else "no result".
    public func whyNotProbed(_ kind: TaskKind, _ address: String) -> String {
        if let reason = unprobed["\(kind.rawValue) \(address)"] { return reason }
        let plan = ConnectPlanner.planned(facts, targets: .lab)
        guard plan.tasks.contains(where: { $0.kind == kind && $0.target.address == address }) else {
            return "not planned" + (plan.capped.isEmpty ? "" : " (" + plan.capped.joined(separator: "; ") + ")")
        }
        return SpecialPurposeAddresses.refusal(of: address) ?? "no result"
    }

    /// The failed questions of a resolution, for ``failedLookups``.
    public static func failedLookups(_ queries: [DNSQueryRecord]) -> Set<String> {
        Set(queries.filter(\.isFailedLookup).map { "\($0.name) \($0.type)" })
    }

    /// Whether the question `name` `type` got no usable answer.
    func lookupFailed(_ name: String, _ type: String) -> Bool {
        failedLookups.contains("\(name) \(type)")
    }

    /// The first name on the NS climb from `start` up to `zone` (the zone whose NS set was
    /// found; nil: none was, so the whole climb) whose NS lookup failed: a delegation there
    /// would have been missed, so whose nameservers to judge is unknown. Nil when every step
    /// answered.
    func nameserverClimbFailure(from start: String, to zone: String?) -> String? {
        var name = start
        while name != zone {
            if lookupFailed(name, "NS") { return name }
            guard let dot = name.firstIndex(of: ".") else { return nil }
            name = String(name[name.index(after: dot)...])
        }
        return nil
    }

    /// ``nameserverClimbFailure(from:to:)`` of the mail test's NS set (climbed from the domain).
    var mailNameserverClimbFailure: String? { nameserverClimbFailure(from: facts.domain, to: facts.nsZone) }

    /// ``nameserverClimbFailure(from:to:)`` of the web test's NS set (climbed from the web host).
    var webNameserverClimbFailure: String? {
        nameserverClimbFailure(from: facts.web.host, to: facts.webNSZone ?? facts.nsZone)
    }

    /// Which address lookup of the web host failed ("A", "AAAA", both), nil when both answered:
    /// then not every address of the web host is known.
    var webAddressLookupFailure: String? {
        let failed = ["A", "AAAA"].filter { lookupFailed(facts.web.host, $0) }
        return failed.isEmpty ? nil : failed.joined(separator: " and ")
    }

    /// Every address of the web host, IPv4 first, IPv4-mapped AAAA left out.
    var webAddresses: [String] {
        (facts.web.ipv4 + facts.web.ipv6).filter { !ConnectPlanner.isMapped($0) }
    }

    /// The addresses the web probe is planned for (one per family).
    var probedAddresses: [String] {
        [ConnectPlanner.webAddress(facts.web.ipv4), ConnectPlanner.webAddress(facts.web.ipv6)].compactMap { $0 }
    }
}

extension StatusCell {
    /// The `error` cell of an NS set that a failed climb step leaves unknown (see
    /// ``DomainEvidence/nameserverClimbFailure(from:to:)``).
    static func nameserverSetUnknown(failedAt name: String) -> StatusCell {
        StatusCell(.error, "the NS lookup of \(name) failed: whose nameservers to judge is unknown")
    }

    /// The worst status among `subtests` (`not_tested` left out), with the subtests that have
    /// it and their findings as the reason.
    static func worst(of subtests: [SubtestResult], label: String) -> StatusCell {
        let counted = subtests.filter { $0.status != .notTested }
        let worst = Status.worst(of: counted.map(\.status)) ?? .passed
        let reasons = counted.filter { $0.status == worst && worst != .passed }
            .map { "\($0.name) \($0.status.rawValue)" + ($0.findings.isEmpty ? "" : " (" + $0.findings.map(\.description).joined(separator: ", ") + ")") }
        return StatusCell(worst, "\(label): " + (reasons.isEmpty ? "every TLS subtest passed" : reasons.joined(separator: "; ")))
    }
}
