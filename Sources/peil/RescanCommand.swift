import ArgumentParser
import Checks
import Foundation
import PeilModel
import Report
import Verdicts

/// `peil rescan --measurement ID (--domains a,b | --only failed,error,not_testable)`.
struct RescanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rescan",
        abstract: "Measure some domains of a completed measurement again; prints the new measurement's id.",
        discussion: """
            The new measurement covers the same sets: the domains it measures again get new \
            observations, every other domain keeps the old measurement's (following the chain when \
            that was a rescan too), so peil results, report and diff of it cover the whole set. \
            --only selects the domains with any column (of the tests their sets ask for) in one of \
            the given statuses, judged under --rules. Compare with peil diff --measurements OLD,NEW.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var mailAuth: MailAuthOptions

    @Option(help: "The measurement to rescan: its id or name.")
    var measurement: String

    @Option(help: "Comma-separated domains to measure again.")
    var domains: String?

    @Option(help: "Comma-separated statuses: measure again the domains with any column in one of them (e.g. failed,error,not_testable).")
    var only: String?

    @Option(help: "Rule set judging --only: internetnl-current (default) or internetnl-2021.")
    var rules: String?

    @Flag(help: "Follow progress until the rescan is complete.")
    var wait = false

    func validate() throws {
        guard (domains == nil) != (only == nil) else { throw ValidationError("give --domains a,b or --only STATUSES") }
        if let rules, RuleSet(rawValue: rules) == nil { throw ValidationError("unknown rule set '\(rules)' (internetnl-current or internetnl-2021)") }
        for word in ReportLoader.list(only) ?? [] where Status(rawValue: word) == nil {
            throw ValidationError("'\(word)' is not a status (\(Status.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    func run() async throws {
        let store = try database.open()
        let choice: RescanChoice = if let domains { .domains(ReportLoader.list(domains) ?? []) }
            else { .statuses(Set((ReportLoader.list(only) ?? []).compactMap(Status.init(rawValue:)))) }
        let loader = ReportLoader(store: store, mailAuth: mailAuth)
        let rescan: (id: Int64, of: Int64, domains: [String])
        do {
            rescan = try await loader.rescan(measurement, choice: choice, rules: rules.flatMap(RuleSet.init(rawValue:)))
        } catch let error as VerdictsError {
            throw ValidationError(error.description)
        }
        FileHandle.standardError.write(Data("rescan of measurement \(rescan.of): \(rescan.domains.count) domains measured again\n".utf8))
        print(rescan.id)
        if wait {
            try ProgressDisplay(database: store, measurementID: rescan.id, live: isatty(STDERR_FILENO) != 0).follow(to: .standardError)
        }
    }
}
