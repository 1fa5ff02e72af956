extension HTMLReport {
    static func suppliers(_ report: Report) -> String {
        var html = "<section id=\"suppliers\"><h2>Suppliers</h2>"
        let view = report.suppliers
        guard view.available else { return html + "<p class=\"note\">\(HTML.escape(view.note)).</p></section>" }
        html += "<p>The government's advice is “ask your supplier”: here are the failed cells of the compared sets' domains "
            + "grouped by the provider behind them. DNSSEC and IPv6 of the nameservers count with the DNS provider, the other "
            + "mail columns with the mail provider, the other web columns with the web hosting. Heuristics and limits: docs/REPORTS.md.</p>"
        for kind in SupplierKind.allCases {
            let groups = view.groups.filter { $0.kind == kind }
            let columns = report.columns.filter { kind.owns($0.key) }
            html += "<h3>\(HTML.escape(kind.title))</h3>"
            guard !groups.isEmpty, !columns.isEmpty else {
                html += "<p class=\"note\">No domain has a provider of this kind.</p>"
                continue
            }
            let top = Array(groups.prefix(15))
            let maximum = Double(top.map(\.totalFailures).max() ?? 1)
            html += "<div class=\"chart\">" + SVGChart.bars(top.prefix(10).map { SVGChart.Group("\($0.provider) (\($0.domains))", [Double($0.totalFailures)]) },
                                                          series: [.init("failed cells", "#c0392b")], maximum: max(maximum, 1), unit: "",
                                                          title: "Failed cells by \(kind.rawValue) provider") + "</div>"
            let header = ["Provider", "Domains"] + columns.map { HTML.escape($0.label) }
            let rows = top.map { group in
                [HTML.escape(group.provider), String(group.domains)] + columns.map { column -> String in
                    let failed = group.failures[column.key] ?? 0
                    let total = view.failuresByColumn[column.key] ?? 0
                    guard failed > 0, total > 0 else { return "0" }
                    return "\(failed) <small>(\(Points.format(100 * Double(failed) / Double(total)))% of \(total))</small>"
                }
            }
            html += HTML.table(header, rows)
            if groups.count > top.count { html += "<p>\(groups.count - top.count) more in suppliers.csv.</p>" }
        }
        return html + "</section>"
    }
}
