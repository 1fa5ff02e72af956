import ArgumentParser
import Checks
import Foundation

/// `peil lint hsts VALUE`: the HSTS subtest on one `Strict-Transport-Security` value.
struct LintHSTSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hsts",
        abstract: "Judge a Strict-Transport-Security header value: max-age as Internet.nl reads it, and RFC 6797 syntax.",
        discussion: "Give several values (repeat the argument) for a response that sends the header more than once; the first one counts."
    )

    @Argument(help: "The header value(s), e.g. 'max-age=31536000; includeSubDomains'.")
    var values: [String]

    @OptionGroup var output: LintOutputOptions

    func run() async throws {
        let (result, _) = HSTSCheck.evaluate(headerValues: values, ruleSet: output.rules)
        let minimum = HSTSCheck.minimumMaxAge(output.rules)
        let invalid = result.findings.first { $0.code == "rfc6797-invalid" }
        let summary: String
        if let short = result.findings.first(where: { $0.code == "hsts-max-age-too-short" }) {
            summary = "max-age=\(short.subject ?? "?") is shorter than \(minimum) seconds (one year): browsers forget the policy too soon"
        } else if result.findings.contains(where: { $0.code == "hsts-unparsable" }) {
            summary = "no max-age can be read from '\(values.first ?? "")'; the header has no effect"
        } else if result.findings.contains(where: { $0.code == "hsts-missing" }) {
            summary = "the header is empty"
        } else if let invalid {
            summary = "max-age is long enough, but browsers ignore this header: \(invalid.detail ?? "invalid syntax")"
        } else {
            summary = "HSTS with a max-age of at least \(minimum) seconds"
        }
        try LintReport(kind: "HSTS", record: values.joined(separator: " | "), domain: nil, ruleSet: output.rules.rawValue,
                       subtest: HSTSCheck.name, status: result.status, verdict: result.status.rawValue,
                       summary: summary, findings: result.findings, notChecked: [])
            .emit(json: output.json)
    }
}
