import Foundation

/// Writes a report's files into a directory (created if missing): `index.html`,
/// `adoption.csv`, `layers.csv`, `domains.csv`, `suppliers.csv`, `report.json`, `summary.md`,
/// and `slices.csv` when the report is sliced (`--by`).
public enum ReportFiles {
    public static let names = ["index.html", "adoption.csv", "layers.csv", "domains.csv", "suppliers.csv", "report.json", "summary.md"]

    /// Renders and writes every file.
    /// - Returns: the files written, in ``names`` order (then `slices.csv`).
    @discardableResult
    public static func write(_ report: Report, to directory: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        let contents: [(String, Data)] = [
            ("index.html", Data(HTMLReport.render(report).utf8)),
            ("adoption.csv", Data(CSVReport.adoption(report).utf8)),
            ("layers.csv", Data(CSVReport.layers(report).utf8)),
            ("domains.csv", Data(CSVReport.domains(report).utf8)),
            ("suppliers.csv", Data(CSVReport.suppliers(report).utf8)),
            ("report.json", try encoder.encode(report)),
            ("summary.md", Data(MarkdownReport.summary(report).utf8)),
        ]
        let sliced = report.sliceBy == nil ? [] : [("slices.csv", Data(CSVReport.slices(report).utf8))]
        return try (contents + sliced).map { name, data in
            let url = directory.appendingPathComponent(name)
            try data.write(to: url, options: .atomic)
            return url
        }
    }
}
