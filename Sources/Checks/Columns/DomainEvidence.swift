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

    public init(facts: DNSFacts, reach: [String: ReachObservation] = [:], nameservers: [String: NameserverObservation] = [:],
                web: [String: WebObservation] = [:], mail: [String: MailServerObservation] = [:], failedLookups: Set<String> = []) {
        self.facts = facts
        self.reach = reach
        self.nameservers = nameservers
        self.web = web
        self.mail = mail
        self.failedLookups = failedLookups
    }

    /// The failed questions of a resolution, for ``failedLookups``.
    public static func failedLookups(_ queries: [DNSQueryRecord]) -> Set<String> {
        Set(queries.filter { ["TIMEOUT", "ERROR", "SERVFAIL"].contains($0.rcode) && $0.dnssec != .bogus }.map { "\($0.name) \($0.type)" })
    }

    /// Whether the question `name` `type` got no usable answer.
    func lookupFailed(_ name: String, _ type: String) -> Bool {
        failedLookups.contains("\(name) \(type)")
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

/// One bulk column's status word (`data/README.md`) and the evidence behind it.
public struct BulkColumn: Codable, Sendable, Hashable {
    public var status: String
    public var because: String

    public init(_ status: String, _ because: String) {
        self.status = status
        self.because = because
    }

    init(_ status: SubtestStatus, _ because: String) {
        self.status = status.rawValue
        self.because = because
    }

    /// Bulk words, worst first, for taking the worst over several servers.
    static let severity = ["error", "unreachable", "not_testable", "failed", "warning", "info", "not_tested", "passed"]

    /// The worst of several columns (of one server each); their reasons joined.
    static func worst(_ columns: [BulkColumn]) -> BulkColumn? {
        guard let worst = columns.min(by: { rank($0.status) < rank($1.status) }) else { return nil }
        let reasons = columns.filter { $0.status == worst.status }.map(\.because)
        var seen = Set<String>()
        return BulkColumn(worst.status, reasons.filter { seen.insert($0).inserted }.joined(separator: "; "))
    }

    static func rank(_ status: String) -> Int { severity.firstIndex(of: status) ?? 0 }

    /// The worst status among `subtests` (`not_tested` left out), with the subtests that have
    /// it and their findings as the reason.
    static func worst(of subtests: [SubtestResult], label: String) -> BulkColumn {
        let counted = subtests.filter { $0.status != .notTested }
        let worst = counted.map(\.status).reduce(SubtestStatus.passed, SubtestStatus.worst)
        let reasons = counted.filter { $0.status == worst && worst != .passed }
            .map { "\($0.name) \($0.status.rawValue)" + ($0.findings.isEmpty ? "" : " (" + $0.findings.map(\.description).joined(separator: ", ") + ")") }
        return BulkColumn(worst, "\(label): " + (reasons.isEmpty ? "every TLS subtest passed" : reasons.joined(separator: "; ")))
    }
}
