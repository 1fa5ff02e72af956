import Checks
import DANE
import Foundation
import PeilModel
import Store

/// The bulk columns of every domain of a measurement, derived from the stored observations
/// under a rule set: the 8 web columns and the 12 mail columns.
struct DomainVerdicts: Sendable {
    var domain: String
    var web: [String: BulkColumn]
    var mail: [String: BulkColumn]

    /// The 12 mail columns, in the government report's order.
    static let mailColumns = BulkColumnNames.mail

    /// Reads the measurement once and evaluates every domain.
    static func evaluate(store: PeilStore, measurementID: Int64, ruleSet: RuleSet, psl: PublicSuffixList) async throws -> [DomainVerdicts] {
        let domains = try store.measuredDomains(measurementID: measurementID)
        let resolutions = try store.resolutionResults(measurementID: measurementID)
        let connects = try store.connectResults(measurementID: measurementID)
        // Domains are independent: judge them on every core, in batches, keeping the order.
        let batches = stride(from: 0, to: domains.count, by: 64).map { Array(domains[$0..<min($0 + 64, domains.count)]) }
        return await withTaskGroup(of: (Int, [DomainVerdicts]).self) { group in
            for (index, batch) in batches.enumerated() {
                group.addTask {
                    var judged: [DomainVerdicts] = []
                    for (domain, state, lastError) in batch {
                        judged.append(await evaluate(domain: domain, state: state, lastError: lastError, resolution: resolutions[domain],
                                                     linked: connects[domain] ?? [], ruleSet: ruleSet, psl: psl))
                    }
                    return (index, judged)
                }
            }
            var byBatch: [Int: [DomainVerdicts]] = [:]
            for await (index, judged) in group { byBatch[index] = judged }
            return batches.indices.flatMap { byBatch[$0] ?? [] }
        }
    }

    /// One domain's columns; without a resolution, every column says why.
    static func evaluate(domain: String, state: String, lastError: String?, resolution: ResolutionObservation?,
                         linked: [LinkedConnect], ruleSet: RuleSet, psl: PublicSuffixList) async -> DomainVerdicts {
        guard let resolution else {
            let why = state == "not_testable" ? "not testable: \(lastError ?? "no result")" : "resolution \(state)"
            let word = state == "not_testable" ? "not_testable" : "error"
            return DomainVerdicts(domain: domain, web: Dictionary(uniqueKeysWithValues: WebColumns.names.map { ($0, BulkColumn(word, why)) }),
                                  mail: Dictionary(uniqueKeysWithValues: mailColumns.map { ($0, BulkColumn(word, why)) }))
        }
        var evidence = webEvidence(resolution.facts, linked)
        evidence.failedLookups = DomainEvidence.failedLookups(resolution.queries)
        let web = WebColumns.evaluate(evidence, ruleSet: ruleSet)
        let auth = await MailColumns.evaluate(resolution, ruleSet: ruleSet, psl: psl)
        var mail = auth.columns.mapValues { BulkColumn($0, "") }.merging(auth.because.mapValues { BulkColumn("", $0) }) {
            BulkColumn($0.status, $1.because)
        }
        mail.merge(MailServerColumns.evaluate(evidence, ruleSet: ruleSet, dane: daneJudge(ruleSet))) { _, servers in servers }
        return DomainVerdicts(domain: domain, web: web, mail: mail)
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

    /// The connect results a domain relies on, by kind and address; tasks without a result
    /// are left out (the verdicts then say `error`).
    static func webEvidence(_ facts: DNSFacts, _ linked: [LinkedConnect]) -> DomainEvidence {
        var evidence = DomainEvidence(facts: facts)
        for connect in linked {
            guard let observation = connect.observation else { continue }
            let address = connect.target.address
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
