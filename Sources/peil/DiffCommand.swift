import ArgumentParser
import Checks
import Report
import Verdicts

/// `peil diff --measurements A,B [--set S]`: what changed per domain and column.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What changed per domain and column between two measurements: improved, regressed, not comparable, new, gone.",
        discussion: """
            Domains are matched by name; a column counts for a domain when a compared set tests it. \
            Only the words the adoption formula judges are compared: passed, info, warning, failed \
            (best first); a change from or to error, unreachable, not_testable, not_tested, \
            not_applicable or no_mx is "not comparable". new/gone: a cell only the later/earlier \
            measurement has. Peil measurements are judged under --rules; imported ones keep their \
            published statuses (docs/REPORTS.md). Formats: text (changed cells with the evidence of \
            both sides), csv, json.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var mailAuth: MailAuthOptions

    @Option(help: "Two measurements (ids or names), earlier first.")
    var measurements: String

    @Option(name: .customLong("set"), help: "Compare the members of this set only (default: both measurements' sets).")
    var set: String?

    @Option(help: "Rule set for Peil measurements: internetnl-current (default) or internetnl-2021.")
    var rules: String?

    @Option(help: "text, csv or json.")
    var format: String = "text"

    @Flag(help: "List unchanged cells too (csv and json).")
    var all = false

    func validate() throws {
        guard ReportLoader.list(measurements)?.count == 2 else { throw ValidationError("--measurements takes two measurements: A,B") }
        if let rules, RuleSet(rawValue: rules) == nil { throw ValidationError("unknown rule set '\(rules)' (internetnl-current or internetnl-2021)") }
        guard ["text", "csv", "json"].contains(format) else { throw ValidationError("--format is text, csv or json") }
    }

    func run() async throws {
        let pair = ReportLoader.list(measurements) ?? []
        let loader = ReportLoader(store: try database.open(), mailAuth: mailAuth)
        // The earlier measurement's cells wait in an unlinked file in the temporary folder.
        let diff = try await loader.diff(pair[0], pair[1], set: set, rules: rules.flatMap(RuleSet.init(rawValue:)),
                                         includeUnchanged: all && format != "text", scratch: try CompareCommand.scratch())
        switch format {
        case "csv": print(DiffFormats.csv(diff), terminator: "")
        case "json": print(try DiffFormats.json(diff), terminator: "")
        default: print(DiffFormats.text(diff), terminator: "")
        }
    }
}
