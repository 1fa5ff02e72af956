extension HTMLReport {
    static func baseline(_ report: Report) -> String {
        var html = "<section id=\"baseline\"><h2>Change against the baseline</h2>"
        guard let baseline = report.baseline else {
            return html + "<p class=\"note\">No baseline was given (<code>--baseline ID</code>), so there is no change to show.</p></section>"
        }
        let attribution = report.attribution
        html += "<p>Change from <b>\(HTML.escape(baseline.name))</b> (\(baseline.date), \(HTML.escape(baseline.ruleSet))) to "
            + "<b>\(HTML.escape(report.measurement.name))</b> (\(report.measurement.date), \(HTML.escape(report.measurement.ruleSet))), "
            + "in percentage points (pp).</p>"
        html += "<p class=\"note\">" + (attribution.available ? "Changed criteria vs changed configurations: " : "No split into criteria and configuration: ")
            + HTML.escape(attribution.note) + ".</p>"
        let parts: [SVGChart.Series] = attribution.available
            ? [.init("change", "#444"), .init("configuration", "#1f5fa8"), .init("criteria", "#c0392b")] : [.init("change", "#444")]
        for set in report.sets {
            let groups = report.columns.compactMap { column -> SVGChart.Group? in
                guard let row = report.row(set: set.name, column: column.key), row.deltaPoints != nil else { return nil }
                let values = attribution.available ? [row.deltaPoints, row.configurationPoints, row.criteriaPoints] : [row.deltaPoints]
                return SVGChart.Group(column.label, values)
            }
            html += "<h3>Set \(HTML.escape(set.name))</h3>"
            guard !groups.isEmpty else {
                html += "<p class=\"note\">No standard is judged in both measurements for this set.</p>"
                continue
            }
            html += "<div class=\"chart\">" + SVGChart.diverging(groups, series: parts, title: "Change in percentage points, set \(set.name)") + "</div>"
        }
        var header = ["Standard", "Set", "Baseline", "Now", "Change"]
        if attribution.available { header += ["Configuration", "Criteria", "Cells judged differently"] }
        let rows = report.adoption.map { row -> [String] in
            var cells = [HTML.escape(report.label(row.column)), HTML.escape(row.set), Points.percent(row.baseline?.adoption),
                         Points.percent(row.current.adoption), signed(row.deltaPoints)]
            if attribution.available {
                cells += [signed(row.configurationPoints), signed(row.criteriaPoints), row.cellsChangedByRules.map(String.init) ?? "–"]
            }
            return cells
        }
        html += HTML.table(header, rows)
        html += "<h3>Per layer (change in pp)</h3>"
        for set in report.sets {
            let names = orderedLayers(report, set: set.name)
            let layerRows = names.map { name in
                [HTML.escape(layerTitle(name))] + report.columns.map { column in
                    signed(report.layers.first { $0.set == set.name && $0.layerName == name && $0.column == column.key }?.deltaPoints)
                }
            }
            html += "<p>Set \(HTML.escape(set.name))</p>" + HTML.table(["Layer"] + report.columns.map { HTML.escape($0.label) }, layerRows)
        }
        return html + "</section>"
    }

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
