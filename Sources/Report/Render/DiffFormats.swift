import Foundation
import PeilModel

/// `peil diff`'s formats: a text table (each changed cell with the evidence of both sides),
/// CSV (one row per cell) and JSON (the ``MeasurementDiff`` as it is).
public enum DiffFormats {
    /// The text table: a heading naming both measurements, the counts, then one block per cell.
    public static func text(_ diff: MeasurementDiff) -> String {
        var lines = ["\(label(diff.before)) → \(label(diff.after)); sets: \(plain(diff.sets.joined(separator: ", ")))"]
        lines.append(CellChange.reportOrder.map { "\($0.rawValue) \(diff.counts[$0] ?? 0)" }.joined(separator: ", "))
        let rows = diff.cells.sorted { ($0.change.rank, $0.domain) < ($1.change.rank, $1.domain) }
        guard !rows.isEmpty else { return (lines + ["no cell changed"]).joined(separator: "\n") + "\n" }
        let table = [["change", "domain", "column", "before", "after"]] + rows.map {
            [$0.change.rawValue, plain($0.domain), $0.column, $0.before?.status.rawValue ?? "–", $0.after?.status.rawValue ?? "–"]
        }
        let widths = (0..<5).map { index in table.map { $0[index].count }.max() ?? 0 }
        func line(_ fields: [String]) -> String {
            zip(fields, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        lines += ["", line(table[0])]
        for (index, row) in rows.enumerated() {
            lines.append(line(table[index + 1]))
            for (side, cell) in [("before", row.before), ("after", row.after)] {
                guard let cell, !cell.because.isEmpty else { continue }
                lines.append("    \(side): \(plain(cell.because))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The CSV header and one row per cell: change, domain, layer, organisation, column, and each
    /// side's status and evidence.
    public static func csv(_ diff: MeasurementDiff) -> String {
        var lines = [CSV.row(["change", "domain", "layer", "organisation", "column", "before", "before_evidence", "after", "after_evidence"])]
        for cell in diff.cells {
            lines.append(CSV.row([cell.change.rawValue, cell.domain, cell.layer ?? "", cell.organisation ?? "", cell.column,
                                  cell.before?.status.rawValue ?? "", cell.before?.because ?? "",
                                  cell.after?.status.rawValue ?? "", cell.after?.because ?? ""]))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The diff as pretty-printed JSON with sorted keys.
    public static func json(_ diff: MeasurementDiff) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return String(decoding: try encoder.encode(diff), as: UTF8.self) + "\n"
    }

    static func label(_ summary: MeasurementSummary) -> String {
        "\(plain(summary.name)) (\(plain(summary.date)), \(plain(summary.ruleSet))\(summary.imported ? ", imported" : ""))"
    }

    /// Text safe on a terminal: control characters (a NUL in a TXT record, an escape sequence in
    /// a banner) become `?`.
    static func plain(_ text: String) -> String {
        UTF8Escaping.replacing(text) { $0 < 0x20 || $0 == 0x7F ? "?" : nil }
    }
}
