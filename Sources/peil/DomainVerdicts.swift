import Checks
import PeilModel
import Store

/// The bulk columns of every domain of a measurement, derived from the stored observations
/// under a rule set: the 8 web columns and the mail columns decided so far.
struct DomainVerdicts: Sendable {
    var domain: String
    var web: [String: BulkColumn]
    var mail: [String: BulkColumn]

    /// The mail columns Peil derives today (the SMTP-decided ones need the STARTTLS probe).
    static let mailColumns = ["dmarc", "dkim", "spf", "dmarc_policy", "spf_policy", "dnssec_mx"]

    /// Reads the measurement once and evaluates every domain.
    static func evaluate(store: PeilStore, measurementID: Int64, ruleSet: RuleSet, psl: PublicSuffixList) async throws -> [DomainVerdicts] {
        let domains = try store.measuredDomains(measurementID: measurementID)
        let resolutions = try store.resolutionResults(measurementID: measurementID)
        let connects = try store.connectResults(measurementID: measurementID)
        var verdicts: [DomainVerdicts] = []
        for (domain, state, lastError) in domains {
            guard let resolution = resolutions[domain] else {
                let why = state == "not_testable" ? "not testable: \(lastError ?? "no result")" : "resolution \(state)"
                let word = state == "not_testable" ? "not_testable" : "error"
                verdicts.append(DomainVerdicts(domain: domain, web: Dictionary(uniqueKeysWithValues: WebColumns.names.map { ($0, BulkColumn(word, why)) }),
                                               mail: Dictionary(uniqueKeysWithValues: mailColumns.map { ($0, BulkColumn(word, why)) })))
                continue
            }
            let evidence = webEvidence(resolution.facts, connects[domain] ?? [])
            let web = WebColumns.evaluate(evidence, ruleSet: ruleSet)
            let mail = await MailColumns.evaluate(resolution, ruleSet: ruleSet, psl: psl)
            verdicts.append(DomainVerdicts(domain: domain, web: web,
                                           mail: mail.columns.mapValues { BulkColumn($0, "") }.merging(mail.because.mapValues { BulkColumn("", $0) }) {
                                               BulkColumn($0.status, $1.because) }))
        }
        return verdicts
    }

    /// The connect results a domain relies on, by kind and address; tasks without a result
    /// are left out (the verdicts then say `error`).
    static func webEvidence(_ facts: DNSFacts, _ linked: [LinkedConnect]) -> WebEvidence {
        var evidence = WebEvidence(facts: facts)
        for connect in linked {
            guard let observation = connect.observation else { continue }
            let address = connect.target.address
            switch connect.kind {
            case .reach: evidence.reach[address] = observation.reach
            case .nameserver: evidence.nameservers[address] = observation.nameserver
            case .web where connect.target.host == facts.web.host: evidence.web[address] = observation.web
            case .web, .resolve: break
            }
        }
        return evidence
    }
}
