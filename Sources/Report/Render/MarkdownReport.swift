import PeilModel

/// The Markdown summary for e-mail and issue trackers, and the side-by-side tables of `peil compare`.
/// Every value from outside (names, rule sets, providers) goes through ``Markdown/text(_:)``.
public enum MarkdownReport {
    public static func summary(_ report: Report) -> String {
        let m = report.measurement
        var lines = ["# \(Markdown.text(report.title))", ""]
        lines.append("Measurement **\(Markdown.text(m.name))** (\(Markdown.text(m.date)), \(Markdown.text(m.ruleSet))\(m.imported ? ", imported" : ""), \(m.domains) domains)"
            + (report.baseline.map { "; baseline **\(Markdown.text($0.name))** (\(Markdown.text($0.date)), \(Markdown.text($0.ruleSet)))" } ?? "") + ".")
        lines.append("Sets: " + report.sets.map { "\(Markdown.text($0.name)) (\($0.measured) of \($0.members) measured)" }.joined(separator: ", ") + ".")
        lines += ["", "Adoption = (passed + warning + info) / (passed + warning + info + failed).", "", "## Adoption per standard", ""]
        lines += adoptionTable(report)
        let explained = report.adoption.reduce(0) { $0 + $1.current.explainedFailures }
        if explained > 0 {
            lines += ["", "Comply or explain: \(explained) failed cells are explained by their organisations; "
                + "\"without\" is the adoption with those left out (index.html and domains.csv mark them `failed*`)."]
        }
        let reactions = report.domains.reduce(0) { $0 + ($1.formalReaction.isEmpty ? 0 : 1) }
        if reactions > 0 {
            lines += ["", "\(reactions) domains filed a formal reaction to their published result (marked * in index.html, `formal_reaction` in domains.csv)."]
        }
        if report.baseline != nil {
            let note = report.attribution.note
            lines += ["", "Change in percentage points against the baseline. " + Markdown.text(note.prefix(1).uppercased() + note.dropFirst()) + "."]
            lines += changesLines(report)
        }
        for set in report.sets {
            lines += ["", "## Per layer: \(Markdown.text(set.name))", ""]
            let names = HTMLReport.orderedLayers(report, set: set.name)
            lines.append("| Layer | " + report.columns.map { Markdown.text($0.label) }.joined(separator: " | ") + " |")
            lines.append("|---|" + String(repeating: "---:|", count: report.columns.count))
            for name in names {
                let rows = report.layers.filter { $0.set == set.name && $0.layerName == name }
                let cells = report.columns.map { column in Points.percent(rows.first { $0.column == column.key }?.current.adoption) }
                lines.append("| \(Markdown.text(HTMLReport.layerTitle(name))) (\(set.layers[name] ?? 0)) | " + cells.joined(separator: " | ") + " |")
            }
        }
        if let by = report.sliceBy {
            for set in report.sets {
                lines += ["", "## Per \(Markdown.text(by)): \(Markdown.text(set.name))", ""]
                lines += sliceTable(report, set: set.name)
            }
        }
        lines += ["", "## Suppliers", ""]
        if report.suppliers.available {
            for kind in SupplierKind.allCases {
                let groups = report.suppliers.groups.filter { $0.kind == kind }.prefix(5)
                guard !groups.isEmpty else { continue }
                lines.append("- \(Markdown.text(kind.title)): " + groups.map { group in
                    let worst = group.failures.max { ($0.value, $1.key) < ($1.value, $0.key) }
                    let detail = worst.map { ", most in \(Markdown.text(report.label($0.key))) (\($0.value) of \(report.suppliers.failuresByColumn[$0.key] ?? 0))" } ?? ""
                    return "\(Markdown.text(group.provider)): \(group.totalFailures) failed cells over \(group.domains) domains\(detail)"
                }.joined(separator: "; "))
            }
        } else {
            lines.append(Markdown.text(report.suppliers.note) + ".")
        }
        lines += ["", "Files: index.html, adoption.csv, layers.csv, domains.csv, suppliers.csv, report.json."]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Standards as rows, each set's adoption side by side (with the change when there is a baseline).
    public static func adoptionTable(_ report: Report) -> [String] {
        let withBaseline = report.baseline != nil
        var header = ["Standard"]
        for set in report.sets {
            header.append(Markdown.text(set.name))
            if withBaseline { header += ["Δ \(Markdown.text(set.name))"] }
        }
        var lines = ["| " + header.joined(separator: " | ") + " |", "|---|" + String(repeating: "---:|", count: header.count - 1)]
        for column in report.columns {
            var cells = [Markdown.text(column.label)]
            for set in report.sets {
                let row = report.row(set: set.name, column: column.key)
                cells.append(row.flatMap { $0.current.judged == 0 ? nil : "\(Points.percent($0.current.adoption)) (\($0.current.adopted)/\($0.current.judged))"
                    + explainedNote($0.current) } ?? "–")
                if withBaseline { cells.append(Points.signed(row?.deltaPoints)) }
            }
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines
    }

    /// `; 2 explained*: 85.0% without` for a tally with explained failures, else nothing.
    static func explainedNote(_ tally: Tally) -> String {
        tally.explainedFailures == 0 ? "" : "; \(tally.explainedFailures) explained*: \(Points.percent(tally.adoptionWithoutExplained)) without"
    }

    /// Every set's ``sliceTable(_:set:)`` under a heading (`peil compare --by`).
    public static func sliceTables(_ report: Report) -> String {
        report.sets.map { set in
            (["### \(Markdown.text(set.name)) by \(Markdown.text(report.sliceBy ?? ""))", ""] + sliceTable(report, set: set.name))
                .joined(separator: "\n")
        }.joined(separator: "\n\n")
    }

    /// One set sliced by `--by`: a row per value (with its members), a column per standard;
    /// with a baseline each cell is `before → now`.
    public static func sliceTable(_ report: Report, set: String) -> [String] {
        let rows = report.slices.filter { $0.set == set }
        var values: [String] = []
        for row in rows where !values.contains(row.value) { values.append(row.value) }
        let by = Markdown.text(report.sliceBy ?? "slice")
        var lines = ["| \(by) | " + report.columns.map { Markdown.text($0.label) }.joined(separator: " | ") + " |",
                     "|---|" + String(repeating: "---:|", count: report.columns.count)]
        for value in values {
            let mine = Dictionary(rows.filter { $0.value == value }.map { ($0.column, $0) }, uniquingKeysWith: { first, _ in first })
            let cells = report.columns.map { column -> String in
                guard let row = mine[column.key] else { return "–" }
                let explained = row.current.explainedFailures
                let now = Points.percent(row.current.adoption)
                    + (explained == 0 ? "" : " (\(explained) explained*: \(Points.percent(row.current.adoptionWithoutExplained)) without)")
                return row.baseline.map { "\(Points.percent($0.adoption)) → \(now)" } ?? now
            }
            let members = rows.first { $0.value == value }?.members ?? 0
            lines.append("| \(Markdown.text(value)) (\(members)) | " + cells.joined(separator: " | ") + " |")
        }
        return lines
    }

    /// Two measurements of one set: baseline, measurement and the change, per standard.
    public static func measurementsTable(_ report: Report, set: String) -> [String] {
        let before = Markdown.text(report.baseline?.name ?? "baseline"), after = Markdown.text(report.measurement.name)
        var lines = ["| Standard | \(before) | \(after) | Δ |", "|---|---:|---:|---:|"]
        for column in report.columns {
            let row = report.row(set: set, column: column.key)
            lines.append("| \(Markdown.text(column.label)) | \(Points.percent(row?.baseline?.adoption)) | \(Points.percent(row?.current.adoption)) | \(Points.signed(row?.deltaPoints)) |")
        }
        return lines
    }

    /// Per domain against the baseline: the counts, and the regressions per layer.
    static func changesLines(_ report: Report) -> [String] {
        guard let changes = report.changes else { return [] }
        let count = { (change: CellChange) in changes.counts[change.rawValue] ?? 0 }
        var lines = ["", "Per domain: \(count(.regressed)) cells regressed, \(count(.improved)) improved, "
            + "\(count(.notComparable)) not comparable, \(count(.new)) new, \(count(.gone)) gone."]
        let layers = changes.layers.filter { $0.regressed > 0 }
        if !layers.isEmpty {
            lines.append("Regressions per layer: " + layers.map { "\(Markdown.text(HTMLReport.layerTitle($0.layerName))) \($0.regressed)" }
                .joined(separator: ", ") + ".")
        }
        return lines
    }
}
