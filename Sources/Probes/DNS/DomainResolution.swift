import PeilModel

/// The resolve probe: asks every DNS question the Internet.nl web and mail tests need for one
/// domain and its web host, concurrently where answers do not depend on each other, and
/// returns the raw records with the facts derived from them.
///
/// Questions: SOA of the domain; NS climbing from the domain and from the web host, then A/AAAA
/// of each nameserver;
/// A/AAAA of the domain and of the web host; MX, then A, AAAA and `_25._tcp` TLSA of each
/// exchanger (at most ``ResolutionRules/maxMailExchangers``), CAA and NS climbing from it (then
/// A/AAAA of those nameservers, for the RPKI of the MX hosts' nameservers); TXT at
/// the domain, `_dmarc`, `_domainkey` and `_smtp._tls` (TLS-RPT); CAA climbing from the web host; TLSA at
/// `_443._tcp.<web host>`.
/// Then, when given ``FollowUpQuestions``, the TXT names they ask for in rounds (bounded).
/// With a ``LookupRetry`` (the agent's and `peil resolve`'s), a failed question is asked twice.
/// Each (name, type) is asked once, however many roles the name has. Answers are kept within
/// ``AnswerCaps`` (addresses per host, NS names, records and bytes per answer and in all), so
/// a hostile zone costs a bounded number of questions and bytes.
///
/// A resolution ends within its ``budget`` (or the caller's earlier deadline) however many of
/// its steps wait in turn (NS and CAA climbs, MX hosts, follow-up rounds), each up to the query
/// timeout: a question still open then, or not yet asked, is a `TIMEOUT` record "resolution
/// deadline reached before an answer", and the observation keeps everything answered before.
public struct DomainResolution: Sendable {
    /// Below the agent's task deadline with the default lease (120 s less a sixth: 100 s), so
    /// a resolution held up by silent nameservers still reports what it saw.
    public static let defaultBudget = Duration.seconds(80)

    public let resolver: any DNSQuestionAnswering
    public let maxMailExchangers: Int
    public let followUp: FollowUpQuestions?
    /// The longest one resolution may take.
    public let budget: Duration
    /// Whether and when a failed question is asked again (nil: never).
    public let retry: LookupRetry?

    public init(resolver: any DNSQuestionAnswering, maxMailExchangers: Int = ResolutionRules.maxMailExchangers,
                followUp: FollowUpQuestions? = nil, budget: Duration = DomainResolution.defaultBudget,
                retry: LookupRetry? = nil) {
        self.resolver = resolver
        self.maxMailExchangers = maxMailExchangers
        self.followUp = followUp
        self.budget = budget
        self.retry = retry
    }

    /// Resolves `domain` and `webHost` (default `www.<domain>`) by the ``budget`` or `deadline`,
    /// whichever is first. Throws only for a name that cannot be asked
    /// (``ResolverError/Code/invalidName``); DNS failures are in the records.
    public func resolve(domain rawDomain: String, webHost rawWebHost: String? = nil,
                        deadline: ContinuousClock.Instant? = nil) async throws(ResolverError) -> ResolutionObservation {
        let domain = DNSNames.normalise(rawDomain)
        let webHost = DNSNames.normalise(rawWebHost ?? "www.\(domain)")
        for name in [domain, webHost] where !DNSNames.isValidQueryName(name) {
            throw ResolverError(.invalidName, "\(name.isEmpty ? "(empty)" : name) is not a valid domain name")
        }
        let ledger = QueryLedger(resolver: resolver, deadline: min(.now + budget, deadline ?? .now + budget), retry: retry)
        let mxLimit = maxMailExchangers
        await withTaskGroup(of: Void.self) { group in
            for (name, type) in [(domain, DNSRecordType.soa), (domain, .a), (domain, .aaaa), (webHost, .a),
                                 (webHost, .aaaa), (domain, .txt), (ResolutionRules.dmarcName(domain), .txt),
                                 (ResolutionRules.domainKeyName(domain), .txt), (ResolutionRules.tlsrptName(domain), .txt),
                                 (ResolutionRules.tlsaName(port: 443, host: webHost), .tlsa)] {
                group.addTask { _ = await ledger.ask(name, type) }
            }
            group.addTask { await Self.nameservers(of: domain, ledger) }
            // The web test climbs from the web host: a delegated web host has its own NS set.
            if webHost != domain { group.addTask { await Self.nameservers(of: webHost, ledger) } }
            group.addTask { await Self.mailExchangers(of: domain, limit: mxLimit, ledger) }
            group.addTask { await Self.climbCAA(from: webHost, ledger) }
        }
        if let followUp { await Self.followUps(followUp, domain: domain, ledger) }
        let queries = AnswerCaps.limitTotal(await ledger.records)
        let facts = DNSFactsAssembler.facts(domain: domain, webHost: webHost, queries: queries, maxMailExchangers: mxLimit)
        return ResolutionObservation(facts: facts, queries: queries)
    }

    /// Asks the follow-up TXT names round by round until none is new or a bound is reached.
    private static func followUps(_ followUp: FollowUpQuestions, domain: String, _ ledger: QueryLedger) async {
        var asked = 0
        for _ in 0..<FollowUpQuestions.maxRounds {
            let answers = await ledger.records
            let known = Set(answers.filter { $0.type == DNSRecordType.txt.mnemonic }.map(\.name))
            var fresh: [String] = []
            for name in await followUp.txtNames(domain, answers).map(DNSNames.normalise)
            where DNSNames.isValidQueryName(name) && !known.contains(name) && !fresh.contains(name) {
                fresh.append(name)
            }
            fresh = Array(fresh.prefix(FollowUpQuestions.maxQuestions - asked))
            guard !fresh.isEmpty else { return }
            asked += fresh.count
            await withTaskGroup(of: Void.self) { group in
                for name in fresh { group.addTask { _ = await ledger.ask(name, .txt) } }
            }
        }
    }

    private static func nameservers(of domain: String, _ ledger: QueryLedger) async {
        for name in DNSNames.nameserverClimb(from: domain) {
            let answer = await ledger.ask(name, .ns)
            guard ResolutionRules.nameserverStep(answer) == .found else { continue }
            await withTaskGroup(of: Void.self) { group in
                for host in Set(answer.records.map(DNSNames.normalise)) {
                    group.addTask { _ = await ledger.ask(host, .a) }
                    group.addTask { _ = await ledger.ask(host, .aaaa) }
                }
            }
            return
        }
    }

    private static func mailExchangers(of domain: String, limit: Int, _ ledger: QueryLedger) async {
        let answer = await ledger.ask(domain, .mx)
        let hosts = ResolutionRules.mailExchangers(answer.records, limit: limit).exchangers.map(\.host).filter { !$0.isEmpty }
        await withTaskGroup(of: Void.self) { group in
            for host in Set(hosts) {
                group.addTask { _ = await ledger.ask(host, .a) }
                group.addTask { _ = await ledger.ask(host, .aaaa) }
                group.addTask { _ = await ledger.ask(ResolutionRules.tlsaName(port: 25, host: host), .tlsa) }
                group.addTask { await Self.climbCAA(from: host, ledger) }
                group.addTask { await Self.nameservers(of: host, ledger) }
            }
        }
    }

    private static func climbCAA(from host: String, _ ledger: QueryLedger) async {
        for name in DNSNames.caaClimb(from: host) {
            if ResolutionRules.caaStep(await ledger.ask(name, .caa)) != .next { return }
        }
    }
}
