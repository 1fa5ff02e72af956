import ArgumentParser
import Checks
import Foundation

/// `peil lint spf VALUE`: Internet.nl's SPF policy rules on one record.
struct LintSPFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spf",
        abstract: "Judge an SPF record: syntax (RFC 7208), 'all', includes and redirect, the 10-lookup budget.",
        discussion: """
            Without --root-hints or --forwarder only the record itself is judged: includes and the \
            redirect are not followed and their lookups not counted, and the output says so.
            """
    )

    @Argument(help: "The record, e.g. 'v=spf1 include:_spf.example.nl -all'.")
    var value: String

    @Option(help: "The domain that publishes it (used in messages).")
    var domain: String?

    @OptionGroup var output: LintOutputOptions
    @OptionGroup var dns: LintResolverOptions

    func run() async throws {
        let resolver = try dns.makeResolver()
        defer { resolver?.shutdown() }
        let publisher = domain ?? ""
        let result = await SPFPolicy.evaluate(record: value, domain: publisher, resolver: resolver, ruleSet: output.rules)
        var notChecked: [String] = []
        if !result.recursionChecked {
            notChecked.append("includes and redirect were not followed and their DNS lookups not counted (give --root-hints or --forwarder with --trust-anchor)")
        }
        let problem = result.findings.first { !["spf-lookups", "spf-not-followed", "spf-macro-not-followed", "spf-after-all", "spf-redirect-ignored"].contains($0.code) }
        let summary = result.verdict == .valid
            ? (result.recursionChecked ? "the SPF policy is sound (\(result.lookups) DNS lookups of 10)"
                : "the record itself is sound (\(result.lookups) DNS lookups of 10 in it), but its includes and redirect were not followed")
            : problem?.detail ?? result.verdict.rawValue
        try LintReport(kind: "SPF", record: value, domain: domain, ruleSet: output.rules.rawValue, subtest: "spf_policy",
                       status: result.status, verdict: result.verdict.rawValue, summary: summary,
                       findings: result.findings, notChecked: notChecked).emit(json: output.json)
    }
}
