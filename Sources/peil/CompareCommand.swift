import ArgumentParser
import Checks
import Foundation
import Report
import Verdicts

/// `peil compare --sets a,b --measurement ID` or `peil compare --measurements A,B --set S`.
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Adoption side by side: two (or more) sets in one measurement, or one set in two measurements.",
        discussion: """
            For your own list: import it as a set (peil import --set mine FILE), measure it, then \
            peil compare --sets mine,primary --measurement ID. Output on stdout as a Markdown table \
            or CSV (the columns of adoption.csv). Adoption = (passed + warning + info) / \
            (passed + warning + info + failed). --by TAG (or layer) gives one table per set with a row \
            per value of the tag (CSV: the columns of slices.csv).
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var mailAuth: MailAuthOptions

    @Option(help: "Sets to compare in --measurement, comma-separated.")
    var sets: String?

    @Option(help: "The measurement (id or name) for --sets.")
    var measurement: String?

    @Option(help: "Two measurements (ids or names), earlier first, for --set.")
    var measurements: String?

    @Option(name: .customLong("set"), help: "The set to compare across --measurements.")
    var set: String?

    @Option(help: "Rule set for Peil measurements: internetnl-current or internetnl-2021.")
    var rules: String?

    @Option(name: .customLong("by"), help: "Slice by a tag (e.g. agency) or by layer.")
    var sliceBy: String?

    @Option(help: "markdown or csv.")
    var format: String = "markdown"

    func validate() throws {
        guard ["markdown", "csv"].contains(format) else { throw ValidationError("--format is markdown or csv") }
        if let rules, RuleSet(rawValue: rules) == nil { throw ValidationError("unknown rule set '\(rules)'") }
        switch (sets, measurement, measurements, set) {
        case (.some(let names), .some, nil, nil):
            guard ReportLoader.list(names)?.count ?? 0 >= 2 else { throw ValidationError("--sets names at least two sets") }
        case (nil, nil, .some(let names), .some):
            guard ReportLoader.list(names)?.count == 2 else { throw ValidationError("--measurements names exactly two measurements") }
        default:
            throw ValidationError("give either --sets A,B with --measurement ID, or --measurements A,B with --set S")
        }
    }

    func run() async throws {
        let loader = ReportLoader(store: try database.open(), mailAuth: mailAuth)
        let ruleSet = rules.flatMap(RuleSet.init(rawValue:))
        if let names = ReportLoader.list(sets), let measurement {
            let report = try await loader.report(.stored(measurement), sets: names, baseline: nil, rules: ruleSet, baselineRules: nil,
                                                 sliceBy: sliceBy, scratch: try Self.scratch())
            if sliceBy != nil { return printSlices(report) }
            print(format == "csv" ? CSVReport.adoption(report) : MarkdownReport.adoptionTable(report).joined(separator: "\n"),
                  terminator: format == "csv" ? "" : "\n")
        } else if let pair = ReportLoader.list(measurements), let set {
            let report = try await loader.report(.stored(pair[1]), sets: [set], baseline: pair[0], rules: ruleSet, baselineRules: ruleSet,
                                                 sliceBy: sliceBy, scratch: try Self.scratch())
            if sliceBy != nil { return printSlices(report) }
            print(format == "csv" ? CSVReport.adoption(report) : MarkdownReport.measurementsTable(report, set: set).joined(separator: "\n"),
                  terminator: format == "csv" ? "" : "\n")
        }
    }

    /// The measurements are read a batch at a time; what the tables do not need (the rows, the
    /// baseline's cells) goes to an unlinked file in the temporary folder (``DiskScratch``).
    static func scratch() throws -> DiskScratch {
        try DiskScratch(in: FileManager.default.temporaryDirectory)
    }

    /// `--by`: per set a table with a row per value (CSV: slices.csv's columns).
    func printSlices(_ report: Report) {
        if format == "csv" { return print(CSVReport.slices(report), terminator: "") }
        print(MarkdownReport.sliceTables(report))
    }
}
