import PeilModel

extension HTMLReport {
    /// Per domain, every subtest of Internet.nl's web and mail tests that Peil judged: its
    /// category, Internet.nl's short label and batch name, the status and the evidence. One
    /// collapsed block per domain (`<details>`, no script). Imported results and a twin's truth
    /// have statuses per bulk column only; the section then says so.
    static func subtests(_ report: Report) -> String {
        var html = ""
        subtests(report) { html += $0 }
        return html
    }

    /// ``subtests(_:)`` in pieces to `write`, a domain at a time.
    static func subtests(_ report: Report, _ write: (String) throws -> Void) rethrows {
        func hasSubtests(_ row: DomainRow) -> Bool { !row.subtests.isEmpty || !row.peilSubtests.isEmpty }
        try write("<section id=\"subtests\"><h2>\(title(of: "subtests"))</h2>")
        guard report.domains.contains(where: hasSubtests) else {
            return try write("<p>No subtests: this measurement's results are statuses per bulk column only (imported results or a twin's truth).</p></section>")
        }
        try write("<p>Every subtest of Internet.nl's web and mail tests that Peil judges, by Internet.nl's label (its batch API name "
            + "beneath), with the status and the evidence behind it, then Peil's own subtests (category Peil: not Internet.nl's). "
            + "Open a domain (▸) to see them.</p>")
        for row in report.domains where hasSubtests(row) {
            let counts = Tally((Array(row.subtests.values) + Array(row.peilSubtests.values)).map(\.status)).counts.sorted { $0.key.severity < $1.key.severity }
                .map { "\($0.value) \($0.key.rawValue)" }.joined(separator: ", ")
            var part = "<details class=\"subtests\"><summary><b>\(HTML.escape(row.domain))</b> (\(HTML.escape(counts)))</summary>"
                + "<table class=\"subtests\"><thead><tr><th class=\"name\">Category</th><th class=\"name\">Subtest</th><th>Status</th>"
                + "<th class=\"name\">Evidence</th></tr></thead><tbody>"
            let named = row.subtests.keys.sorted().compactMap { id in row.subtests[id].map { (id.category, id.label, id.rawValue, $0) } }
                + row.peilSubtests.keys.sorted().compactMap { id in row.peilSubtests[id].map { ("Peil", id.label, id.rawValue, $0) } }
            for (category, label, name, cell) in named {
                let status = HTML.escape(cell.status.rawValue)
                part += "<tr><td>\(HTML.escape(category))</td><td>\(HTML.escape(label))<br><code>\(HTML.escape(name))</code></td>"
                    + "<td class=\"s-\(status)\">\(status)</td><td class=\"evidence\">\(HTML.escape(cell.because))</td></tr>"
            }
            try write(part + "</tbody></table></details>")
        }
        try write("</section>")
    }
}
