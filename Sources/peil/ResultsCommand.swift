import ArgumentParser
import Checks
import Foundation
import Store

/// `peil results --measurement ID`: the per-domain bulk columns Peil can decide so far, derived
/// from the stored observations under a rule set (no new probing).
struct ResultsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results",
        abstract: "Per-domain results of a measurement, derived from the stored observations under a rule set.",
        discussion: """
            Today: the DNS-decided mail columns dmarc, dkim, spf, dmarc_policy, spf_policy and \
            dnssec_mx. The web columns and the SMTP-decided mail columns need the connect probes \
            that are not built yet, so they are not printed rather than guessed.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var mailAuth: MailAuthOptions

    @Option(help: "Measurement id (default: the latest).")
    var measurement: Int64?

    @Option(help: "Rule set: internetnl-current or internetnl-2021.")
    var ruleSet: String = RuleSet.internetnlCurrent.rawValue

    @Option(help: "csv, or jsonl (one JSON object per domain, with the cause of each status).")
    var format: String = "csv"

    func validate() throws {
        guard RuleSet(rawValue: ruleSet) != nil else { throw ValidationError("unknown rule set '\(ruleSet)'") }
        guard ["csv", "jsonl"].contains(format) else { throw ValidationError("--format is csv or jsonl") }
    }

    func run() async throws {
        let store = try database.open()
        guard let id = try measurement ?? store.latestMeasurementID() else {
            throw ValidationError("no measurements yet")
        }
        let psl = try mailAuth.loadList()
        let rules = RuleSet(rawValue: ruleSet) ?? .internetnlCurrent
        let observations = try store.resolutionResults(measurementID: id)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if format == "csv" { print("domain,dmarc,dkim,spf,dmarc_policy,spf_policy,dnssec_mx") }
        for domain in observations.keys.sorted() {
            guard let observation = observations[domain] else { continue }
            let columns = await MailColumns.evaluate(observation, ruleSet: rules, psl: psl)
            if format == "csv" {
                print([domain, columns.dmarc, columns.dkim, columns.spf, columns.dmarcPolicy, columns.spfPolicy, columns.dnssecMX].joined(separator: ","))
            } else {
                print(String(decoding: try encoder.encode(columns), as: UTF8.self))
            }
        }
    }
}
