import ArgumentParser
import Checks
import Foundation
import PeilModel
import Store
import Verdicts

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
            Formats: csv (one row per domain); jsonl (one object per domain, each column and each \
            subtest with the evidence behind it); json (one test's results in Internet.nl's batch API \
            v2 response shape, --test web or mail: domains → results → tests, every subtest Peil \
            judges, and calculated_results, the "legacy" bulk columns, each with technical_details).
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

    @Option(help: "For --format json: the test whose results the document holds, web or mail (an Internet.nl batch request is of one test).")
    var test: String = BulkTest.web.rawValue

    @Option(help: "Domains read and judged at a time.")
    var batchSize = DomainVerdicts.defaultBatchSize

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1") }
        guard RuleSet(rawValue: ruleSet) != nil else { throw ValidationError("unknown rule set '\(ruleSet)'") }
        guard ["csv", "jsonl", "json"].contains(format) else { throw ValidationError("--format is csv, jsonl or json") }
        guard BulkTest(rawValue: test) != nil else { throw ValidationError("--test is web or mail") }
    }

    func run() async throws {
        let store = try database.open()
        guard let id = try measurement ?? store.latestMeasurementID() else {
            throw ValidationError("no measurements yet")
        }
        let rules = RuleSet(rawValue: ruleSet) ?? .internetnlCurrent
        let psl = try mailAuth.loadList()
        // Read and judged a batch at a time (in domain order), each batch printed as it is done.
        func judged(_ body: ([DomainVerdicts]) throws -> Void) async throws {
            try await DomainVerdicts.judgeInBatches(store: store, measurementID: id, ruleSets: [rules], psl: psl, batchSize: batchSize) { judged, _ in
                try body(judged[0])
            }
        }
        switch format {
        case "csv":
            print(ResultsFormats.csvHeader)
            try await judged { for line in ResultsFormats.csvRows($0) { print(line) } }
        case "jsonl":
            try await judged { for line in try ResultsFormats.jsonLines($0, ruleSet: rules) { print(line) } }
        default:
            // One document: the verdicts are kept (the observations are not).
            var verdicts: [DomainVerdicts] = []
            try await judged { verdicts += $0 }
            let submitted = try store.measurementInfo(String(id)).createdAt
            print(try ResultsFormats.batchJSON(verdicts, measurementID: id, ruleSet: rules, test: BulkTest(rawValue: test) ?? .web,
                                               submitted: submitted, finished: Date()))
        }
    }
}
