import Checks
import DANE
import Foundation
import PeilModel
import Store

/// The bulk columns of one domain, derived from its stored observations under a rule set:
/// the 8 web columns and the 12 mail columns, each a status and why; and every subtest of
/// Internet.nl's web and mail tests that Peil judges (``JudgedSubtests``), with its evidence.
public struct DomainVerdicts: Sendable, Hashable {
    public var domain: String
    /// The web columns by bulk name.
    public var web: [String: StatusCell]
    /// The mail columns by bulk name.
    public var mail: [String: StatusCell]
    /// The subtests by Internet.nl's batch name.
    public var subtests: [SubtestID: StatusCell]
    /// Peil's own subtests (not Internet.nl's; never in the batch-shaped document).
    public var peilSubtests: [PeilSubtestID: StatusCell]

    public init(domain: String, web: [String: StatusCell], mail: [String: StatusCell], subtests: [SubtestID: StatusCell] = [:],
                peilSubtests: [PeilSubtestID: StatusCell] = [:]) {
        self.domain = domain
        self.web = web
        self.mail = mail
        self.subtests = subtests
        self.peilSubtests = peilSubtests
    }

    /// The cell of `column` (web or mail by its test).
    public subscript(column: BulkColumnID) -> StatusCell? {
        column.test == .web ? web[column.name] : mail[column.name]
    }

    /// Every domain of a measurement, judged under `ruleSet`, in the observations' order.
    /// Domains are independent: they are judged on every core, in batches.
    public static func evaluate(_ observations: MeasurementObservations, ruleSet: RuleSet, psl: PublicSuffixList) async -> [DomainVerdicts] {
        let domains = observations.domains
        let batches = stride(from: 0, to: domains.count, by: 64).map { Array(domains[$0..<min($0 + 64, domains.count)]) }
        return await withTaskGroup(of: (Int, [DomainVerdicts]).self) { group in
            for (index, batch) in batches.enumerated() {
                group.addTask {
                    var judged: [DomainVerdicts] = []
                    for domain in batch {
                        judged.append(await evaluate(domain: domain, resolution: observations.resolutions[domain.name],
                                                     linked: observations.connects[domain.name] ?? [], ruleSet: ruleSet, psl: psl,
                                                     rpki: observations.rpki))
                    }
                    return (index, judged)
                }
            }
            var byBatch: [Int: [DomainVerdicts]] = [:]
            for await (index, judged) in group { byBatch[index] = judged }
            return batches.indices.flatMap { byBatch[$0] ?? [] }
        }
    }

    /// One domain's columns; without a resolution, every column says why: `not_testable` when
    /// the resolve task gave up, else `error`.
    /// The RPKI subtests are judged against `rpki`, the measurement's routing snapshot.
    public static func evaluate(domain: MeasurementObservations.Domain, resolution: ResolutionObservation?,
                                linked: [LinkedConnect], ruleSet: RuleSet, psl: PublicSuffixList,
                                rpki: RPKISnapshot? = nil) async -> DomainVerdicts {
        guard let resolution else {
            let testable = domain.state != "not_testable"
            let cell = StatusCell(testable ? .error : .notTestable,
                                  testable ? "resolution \(domain.state)" : "not testable: \(domain.lastError ?? "no result")")
            return DomainVerdicts(domain: domain.name, web: Dictionary(uniqueKeysWithValues: BulkColumns.web.map { ($0.name, cell) }),
                                  mail: Dictionary(uniqueKeysWithValues: BulkColumns.mail.map { ($0.name, cell) }),
                                  subtests: Dictionary(uniqueKeysWithValues: JudgedSubtests.all.map { ($0, cell) }),
                                  peilSubtests: Dictionary(uniqueKeysWithValues: PeilSubtestID.allCases.map { ($0, cell) }))
        }
        var evidence = evidence(resolution.facts, linked)
        evidence.failedLookups = DomainEvidence.failedLookups(resolution.queries)
        let web = WebColumns.evaluate(evidence, ruleSet: ruleSet)
        let judged = await MailColumns.judge(resolution, ruleSet: ruleSet, psl: psl)
        var mail = judged.columns.cells
        mail.merge(MailServerColumns.evaluate(evidence, ruleSet: ruleSet, dane: daneJudge(ruleSet))) { _, servers in servers }
        let webHost = resolution.facts.web.host
        let tlsaName = DANEService.web.tlsaName(host: webHost)
        let tlsaDNSSEC = resolution.queries.first { $0.name == tlsaName && $0.type == "TLSA" }?.dnssec ?? resolution.facts.webDNSSEC
        var subtests = WebSubtests.evaluate(evidence, columns: web, ruleSet: ruleSet, dane: daneSubtests(.web, ruleSet), tlsaDNSSEC: tlsaDNSSEC)
        subtests.merge(MailSubtests.evaluate(evidence, auth: judged.auth, columns: mail, ruleSet: ruleSet, dane: daneSubtests(.mail, ruleSet))) { web, _ in web }
        subtests.merge(RPKIDomainSubtests.evaluate(resolution.facts, snapshot: rpki)) { judged, _ in judged }
        return DomainVerdicts(domain: domain.name, web: web, mail: mail, subtests: subtests, peilSubtests: PeilSubtests.evaluate(evidence))
    }

    /// The DANE subtests of one host (`DANECheck`, on the chain the host presented).
    static func daneSubtests(_ service: DANEService, _ ruleSet: RuleSet) -> DANESubtestJudge {
        { host, tlsa, dnssec, chainDER in
            let chain = (chainDER ?? []).compactMap { Data(base64Encoded: $0).map { [UInt8]($0) } }
            return DANECheck.evaluate(service: service, host: host, observation: DANEObservation(tlsa: tlsa, dnssec: dnssec),
                                      chain: chain, ruleSet: ruleSet).subtests
        }
    }

    /// DANE through OpenSSL's DANE support (`DANECheck`), on the chain the MX presented.
    static func daneJudge(_ ruleSet: RuleSet) -> MailServerColumns.DANEJudge {
        { exchanger, chainDER in
            let chain = chainDER.compactMap { Data(base64Encoded: $0).map { [UInt8]($0) } }
            let result = DANECheck.evaluate(service: .mail, host: exchanger.host, observation: DANEObservation(tlsa: exchanger.tlsa, dnssec: exchanger.dnssec),
                                            chain: chain, ruleSet: ruleSet)
            let findings = result.subtests.flatMap(\.findings).map(\.description)
            return (result.status == .validated, "DANE \(result.status?.rawValue ?? "undetermined")" + (findings.isEmpty ? "" : ": " + findings.joined(separator: ", ")))
        }
    }

    /// The connect results a domain relies on, by kind and address; a task without a result
    /// gives its last error or state instead (the verdicts then say `error`, naming it).
    static func evidence(_ facts: DNSFacts, _ linked: [LinkedConnect]) -> DomainEvidence {
        var evidence = DomainEvidence(facts: facts)
        for connect in linked {
            let address = connect.target.address
            guard let observation = connect.observation else {
                if connect.kind != .web || connect.target.host == facts.web.host {
                    evidence.unprobed["\(connect.kind.rawValue) \(address)"] = connect.lastError ?? "no result (task \(connect.state))"
                }
                continue
            }
            switch connect.kind {
            case .reach: evidence.reach[address] = observation.reach
            case .nameserver: evidence.nameservers[address] = observation.nameserver
            case .web where connect.target.host == facts.web.host: evidence.web[address] = observation.web
            case .mail: evidence.mail[address] = observation.mail
            case .web, .resolve: break
            }
        }
        return evidence
    }
}
