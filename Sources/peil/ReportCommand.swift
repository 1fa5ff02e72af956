import ArgumentParser
import Checks
import Foundation
import Report
import Verdicts

/// `peil report --measurement ID --compare primary,broad [--baseline ID] [--rules R] --out DIR`.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the report of a measurement: sets side by side, per layer, against a baseline, IPv6, suppliers, per domain.",
        discussion: """
            Writes index.html (self-contained: inline CSS and SVG charts, no scripts), adoption.csv, \
            layers.csv, domains.csv, suppliers.csv, report.json and summary.md into --out. \
            Adoption = (passed + warning + info) / (passed + warning + info + failed). \
            A Peil measurement is judged from its stored observations under --rules (default \
            internetnl-current); an imported one (peil import-results) keeps its published statuses. \
            With a baseline judged under other rules, the change is split into changed configurations \
            and changed criteria (docs/REPORTS.md). --by TAG adds slices.csv and a section per value of a \
            tag (an extra column of an imported list; names normalised: lowercase, other characters _) \
            or of layer. Explained failures (peil explain) are marked failed* and counted apart.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var mailAuth: MailAuthOptions

    @Option(help: "The measurement: its id or name.")
    var measurement: String?

    @Option(help: "Instead of --measurement: a twin's ground truth (peil lab world --truth FILE), reported as if measured.")
    var truth: String?

    @Option(help: "Sets to compare, comma-separated (default: the measurement's sets).")
    var compare: String?

    @Option(help: "The baseline measurement: its id or name.")
    var baseline: String?

    @Option(help: "Rule set for a Peil measurement: internetnl-current or internetnl-2021.")
    var rules: String?

    @Option(help: "Rule set for a Peil baseline (default: --rules). An imported baseline keeps its own.")
    var baselineRules: String?

    @Option(name: .customLong("by"), help: "Slice each set by a tag (e.g. agency) or by layer.")
    var sliceBy: String?

    @Option(help: "Report title.")
    var title: String?

    @Option(help: "Directory to write the report into (created if missing).")
    var out: String

    @Option(name: .customLong("html-domains"),
            help: "The most domains index.html shows a row and subtests for; above it, a note points to domains.csv and report.json.")
    var htmlDomains: Int = HTMLReport.domainRowLimit

    func validate() throws {
        guard (measurement == nil) != (truth == nil) else { throw ValidationError("give --measurement ID or --truth FILE") }
        for name in [rules, baselineRules].compactMap({ $0 }) where RuleSet(rawValue: name) == nil {
            throw ValidationError("unknown rule set '\(name)' (internetnl-current or internetnl-2021)")
        }
        if let sets = ReportLoader.list(compare), sets.isEmpty { throw ValidationError("--compare names no set") }
        guard htmlDomains >= 0 else { throw ValidationError("--html-domains must be 0 or more") }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let loader = ReportLoader(store: try database.open(), mailAuth: mailAuth)
        let source: ReportLoader.Source = truth.map { .truth(URL(fileURLWithPath: $0)) } ?? .stored(measurement ?? "")
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        // The domain rows and the baseline's cells wait on disk, next to the report, until the files are written.
        let report = try await loader.report(source, sets: ReportLoader.list(compare), baseline: baseline,
                                             rules: rules.flatMap(RuleSet.init(rawValue:)),
                                             baselineRules: baselineRules.flatMap(RuleSet.init(rawValue:)), sliceBy: sliceBy, title: title,
                                             scratch: try DiskScratch(in: directory))
        let built = ContinuousClock.now
        let files = try ReportFiles.write(report, to: directory, htmlDomainRowLimit: htmlDomains)
        let done = ContinuousClock.now
        for file in files { print(file.path) }
        print("report of \(report.measurement.name): \(report.domains.count) domains, \(report.columns.count) columns, "
            + "sets \(report.sets.map(\.name).joined(separator: ", "))"
            + (report.baseline.map { ", baseline \($0.name)" } ?? "")
            + " in \(seconds(done - started)) s (reading, judging and building \(seconds(built - started)) s, writing \(seconds(done - built)) s)")
    }

    func seconds(_ duration: Duration) -> String {
        let parts = duration.components
        return String(format: "%.2f", Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
    }
}
