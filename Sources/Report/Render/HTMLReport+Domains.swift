import PeilModel

extension HTMLReport {
    /// One table per test, one row per domain and one column per standard, as in the
    /// government report's appendix. A failed cell opens its evidence (`<details>`, no script);
    /// other cells carry theirs as a tooltip.
    static func domains(_ report: Report) -> String {
        var html = ""
        domains(report) { html += $0 }
        return html
    }

    /// ``domains(_:)`` in pieces to `write`, a row at a time (the rows are read twice per test:
    /// counted, then written).
    static func domains(_ report: Report, _ write: (String) throws -> Void) rethrows {
        try write("<section id=\"domains\"><h2>Per domain</h2><p>One row per domain of the compared sets, one column per "
            + "standard. Click a failed cell (▸) for the evidence behind it; hover another cell for its own. failed* is a failure "
            + "its organisation has explained (the explanation is in the cell); a * after a domain marks a formal reaction to "
            + "the published result.</p>")
        for group in tests(report.columns) {
            func inGroup(_ row: DomainRow) -> Bool { group.columns.contains { row.cells[$0.key] != nil } }
            let count = report.domains.reduce(0) { $0 + (inGroup($1) ? 1 : 0) }
            let title = group.test == "web" ? "Website" : group.test == "mail" ? "E-mail" : group.test
            try write("<h3>\(HTML.escape(title)) (\(count) domains)</h3><table class=\"domains\"><thead><tr>"
                + "<th class=\"name\">Domain</th><th class=\"name\">Layer</th><th class=\"name\">Sets</th>"
                + group.columns.map { "<th>\(HTML.escape($0.label))</th>" }.joined() + "</tr></thead><tbody>")
            for row in report.domains where inGroup(row) {
                let reacted = row.formalReaction.contains(group.test)
                var line = "<tr><td" + (row.organisation.map { " title=\"\(HTML.escape($0))\"" } ?? "") + ">\(HTML.escape(row.domain))"
                    + (reacted ? "<abbr class=\"reaction\" title=\"formal reaction filed\">*</abbr>" : "") + "</td>"
                    + "<td>\(HTML.escape(row.layer.map(layerTitle) ?? ""))</td><td>\(HTML.escape(row.sets.joined(separator: ", ")))</td>"
                for column in group.columns { line += cell(row.cells[column.key]) }
                try write(line + "</tr>")
            }
            try write("</tbody></table>")
        }
        try write("</section>")
    }

    static func cell(_ cell: StatusCell?) -> String {
        guard let cell else { return "<td></td>" }
        let status = HTML.escape(cell.status.rawValue)
        if cell.status == .failed {
            let evidence = cell.because.isEmpty ? "no evidence recorded" : cell.because
            let explained = cell.explanation.map { "<div class=\"explained\">Explained \(HTML.escape($0))</div>" } ?? ""
            return "<td class=\"s-failed\"><details><summary>failed\(cell.explanation == nil ? "" : "*")</summary>"
                + "<div>\(HTML.escape(evidence))</div>\(explained)</details></td>"
        }
        let title = cell.because.isEmpty ? "" : " title=\"\(HTML.escape(cell.because))\""
        return "<td class=\"s-\(status)\"\(title)>\(status)</td>"
    }
}
