import ArgumentParser
import Checks
import Foundation
import PeilModel

/// `peil lint KIND VALUE`: judge one record as the checks would, before it is published.
struct LintCommand: AsyncParsableCommand {
    /// One entry per record kind; `hsts` and `tlsa` join here.
    static let kinds: [any ParsableCommand.Type] = [
        LintSPFCommand.self,
        LintDMARCCommand.self,
        LintHSTSCommand.self,
        LintTLSACommand.self,
    ]

    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Judge one record (SPF, DMARC, HSTS, TLSA) as Peil's checks would, with every finding explained.",
        discussion: "Exits 1 when the verdict is failed, 2 when it could not be determined, 0 otherwise.",
        subcommands: kinds
    )
}

/// What every `lint` subcommand shares: the rule set, JSON output and the verdict's exit code.
struct LintOutputOptions: ParsableArguments {
    @Option(help: "Rule set: internetnl-current or internetnl-2021.")
    var ruleSet: String = RuleSet.internetnlCurrent.rawValue

    @Flag(help: "Print the verdict and findings as JSON.")
    var json = false

    func validate() throws {
        guard RuleSet(rawValue: ruleSet) != nil else {
            throw ValidationError("unknown rule set '\(ruleSet)' (use \(RuleSet.allCases.map(\.rawValue).joined(separator: " or ")))")
        }
    }

    var rules: RuleSet { RuleSet(rawValue: ruleSet) ?? .internetnlCurrent }
}

/// One lint verdict as printed.
struct LintReport: Codable {
    var kind: String
    var record: String
    var domain: String?
    var ruleSet: String
    var subtest: String
    var status: Status
    var verdict: String
    /// One line a person understands.
    var summary: String
    var findings: [Finding]
    /// What was not checked and why (no resolver, no domain).
    var notChecked: [String]

    /// Prints the report and ends with the verdict's exit code.
    func emit(json: Bool) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(self), as: UTF8.self))
        } else {
            print(text)
        }
        switch status {
        case .failed: throw ExitCode(1)
        case .error: throw ExitCode(2)
        default: return
        }
    }

    var text: String {
        var lines = ["\(status.rawValue.uppercased()): \(summary)"]
        lines.append("  \(kind) record   \(record)")
        if let domain { lines.append("  domain       \(domain)") }
        lines.append("  rule set     \(ruleSet)   \(subtest): \(status.rawValue) (\(verdict))")
        for finding in findings {
            lines.append("  - [\(finding.code)]\(finding.subject.map { " \($0)" } ?? ""): \(finding.detail ?? "")")
        }
        for item in notChecked { lines.append("  not checked: \(item)") }
        return lines.joined(separator: "\n")
    }
}
