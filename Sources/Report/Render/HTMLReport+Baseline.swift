extension HTMLReport {
    static func baseline(_ report: Report) -> String {
        var html = "<section id=\"baseline\"><h2>Change against the baseline</h2>"
        guard let baseline = report.baseline else {
            return html + "<p class=\"note\">No baseline was given (<code>--baseline ID</code>), so there is no change to show.</p></section>"
        }
        let attribution = report.attribution
        html += "<p>Change from <b>\(HTML.escape(baseline.name))</b> (\(HTML.escape(baseline.date)), \(HTML.escape(baseline.ruleSet))) to "
            + "<b>\(HTML.escape(report.measurement.name))</b> (\(HTML.escape(report.measurement.date)), \(HTML.escape(report.measurement.ruleSet))), "
            + "in percentage points (pp).</p>"
        html += "<p class=\"note\">" + (attribution.available ? "Changed criteria vs changed configurations: " : "No split into criteria and configuration: ")
            + HTML.escape(attribution.note) + ".</p>"
        html += changes(report)
        html += "<h3>Adoption change per set</h3>"
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
}
