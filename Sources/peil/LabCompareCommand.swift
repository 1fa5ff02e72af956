import ArgumentParser
import Foundation
import Lab

extension LabCommand {
    /// `peil lab compare`: measured columns against a twin's ground truth (``TwinComparison``).
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare measured bulk columns with a twin's ground truth: agreement per column, every disagreement with both causes.",
            discussion: """
                TRUTH is `peil lab truth --json` of a twin; RESULTS is JSON lines from `peil results --format jsonl` \
                or `peil resolve --mail-columns`. A cell agrees when its status is the truth's status or the truth's \
                `derived` status. The web subtests the truth gives (security headers, CAA, DANE, security.txt) are \
                compared under the rule set of each result line. Exits 0 after printing, unless --require-all is \
                given and a cell disagrees.
                """)

        @Option(help: "The twin's ground truth (`peil lab truth --json`).")
        var truth: String

        @Option(help: "The measured columns, JSON lines (`peil results --format jsonl` or `peil resolve --mail-columns`).")
        var results: String

        @Option(help: "Domains shown per kind of disagreement.")
        var maxExamples = 5

        @Flag(help: "Exit 1 when any compared cell disagrees.")
        var requireAll = false

        @Option(help: "The twin's world file: also compare the RPKI subtests with its routing (`peil lab routing`).")
        var world: String?

        func run() throws {
            let truthData = try Data(contentsOf: URL(fileURLWithPath: truth))
            let resultsData = try Data(contentsOf: URL(fileURLWithPath: results))
            let comparison = try TwinComparison.compare(truth: truthData, results: resultsData)
            print(comparison.table(maxExamples: maxExamples))
            var agrees = comparison.agreesEverywhere
            // A truth that is not a twin's whole (no facts or subtests: made by hand) compares its columns only.
            let truthDomains = try? JSONDecoder().decode([TwinDomainTruth].self, from: truthData)
            let subtests = try TwinSubtestComparison.compare(truth: truthDomains ?? [], results: resultsData)
            if subtests.cells > 0 {
                print(subtests.table())
                for line in subtests.disagreements.prefix(maxExamples) { print("  " + line) }
                agrees = agrees && subtests.disagreements.isEmpty
            }
            if let world {
                let routing = TwinRouting(try TwinWorld.load(from: URL(fileURLWithPath: world)))
                let rpki = try routing.compare(truth: try JSONDecoder().decode([TwinDomainTruth].self, from: truthData), results: resultsData)
                print("rpki subtests: \(rpki.cells - rpki.disagreements.count) of \(rpki.cells) cells agree with the twin's routing")
                for line in rpki.disagreements.prefix(maxExamples) { print("  " + line) }
                agrees = agrees && rpki.disagreements.isEmpty
            }
            if requireAll && !agrees { throw ExitCode(1) }
        }
    }
}
