import ArgumentParser
import Checks
import Foundation
import Store

/// `peil results --measurement ID`: the per-domain bulk columns, derived from the stored
/// observations under a rule set (no new probing).
struct ResultsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results",
        abstract: "Per-domain results of a measurement, derived from the stored observations under a rule set.",
        discussion: """
            Columns: the 8 web columns (dnssec, tls_available, tls_ncsc, https_redirect, hsts, \
            ipv6_web, ipv6_nameserver, ipv6_webserver) and the 12 mail columns (dmarc, dkim, spf, \
            dmarc_policy, spf_policy, starttls, starttls_ncsc, dnssec_mx, dane, ipv6_mail, \
            ipv6_nameserver — mail_ipv6_nameserver in CSV — and ipv6_mailserver).
            Formats: csv (one row per domain); jsonl (one object per domain, each column with the \
            evidence behind it); json (Internet.nl batch API v2 shaped: domains → results → \
            calculated_results, the "legacy" bulk columns, with technical_details).
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var mailAuth: MailAuthOptions

    @Option(help: "Measurement id (default: the latest).")
    var measurement: Int64?

    @Option(help: "Rule set: internetnl-current or internetnl-2021.")
    var ruleSet: String = RuleSet.internetnlCurrent.rawValue

    @Option(help: "csv, jsonl or json.")
    var format: String = "csv"

    func validate() throws {
        guard RuleSet(rawValue: ruleSet) != nil else { throw ValidationError("unknown rule set '\(ruleSet)'") }
        guard ["csv", "jsonl", "json"].contains(format) else { throw ValidationError("--format is csv, jsonl or json") }
    }

    func run() async throws {
        let store = try database.open()
        guard let id = try measurement ?? store.latestMeasurementID() else {
            throw ValidationError("no measurements yet")
        }
        let rules = RuleSet(rawValue: ruleSet) ?? .internetnlCurrent
        let verdicts = try await DomainVerdicts.evaluate(store: store, measurementID: id, ruleSet: rules, psl: try mailAuth.loadList())
        switch format {
        case "csv":
            // Both tests have an ipv6_nameserver column: the mail one is prefixed.
            print((["domain"] + WebColumns.names + DomainVerdicts.mailColumns.map { $0 == "ipv6_nameserver" ? "mail_ipv6_nameserver" : $0 }).joined(separator: ","))
            for verdict in verdicts {
                print(([verdict.domain] + WebColumns.names.map { verdict.web[$0]?.status ?? "" }
                    + DomainVerdicts.mailColumns.map { verdict.mail[$0]?.status ?? "" }).joined(separator: ","))
            }
        case "jsonl":
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for verdict in verdicts {
                let line = PerDomain(domain: verdict.domain, ruleSet: rules.rawValue, web: verdict.web, mail: verdict.mail)
                print(String(decoding: try encoder.encode(line), as: UTF8.self))
            }
        default:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            print(String(decoding: try encoder.encode(BatchResults(measurementID: id, ruleSet: rules, verdicts: verdicts)), as: UTF8.self))
        }
    }

    struct PerDomain: Encodable {
        var domain: String
        var ruleSet: String
        var web: [String: BulkColumn]
        var mail: [String: BulkColumn]
    }
}
