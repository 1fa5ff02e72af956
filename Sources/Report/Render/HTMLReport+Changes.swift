extension HTMLReport {
    /// At most this many regressed cells are listed one by one (all are in report.json).
    static let listedRegressions = 300

    /// The per-domain change against the baseline, regressions first: counts, regressions per
    /// layer, per supplier, then the regressed cells with the evidence on both sides.
    static func changes(_ report: Report) -> String {
        guard let changes = report.changes else { return "" }
        let count = { (change: CellChange) in changes.counts[change.rawValue] ?? 0 }
        var html = "<h3>Regressions per domain</h3><p>Cells compared domain by domain (\(HTML.escape(changes.note))): "
            + "<b>\(count(.regressed)) regressed</b>, \(count(.improved)) improved, \(count(.notComparable)) not comparable "
            + "(from or to a word the adoption formula does not judge), \(count(.new)) new, \(count(.gone)) gone, "
            + "\(count(.unchanged)) unchanged.</p>"
        guard !changes.layers.isEmpty else { return html }
        html += "<p>Per layer</p>" + HTML.table(["Layer", "Regressed", "Improved"], changes.layers.map {
            [HTML.escape(layerTitle($0.layerName)), String($0.regressed), String($0.improved)]
        })
        if !changes.suppliers.isEmpty {
            html += "<p>Per supplier (the regressions in the columns each kind of supplier owns)</p>"
                + HTML.table(["Kind", "Provider", "Regressed cells", "Domains", "Most in"], changes.suppliers.map { group in
                    let worst = group.regressed.max { ($0.value, $1.key) < ($1.value, $0.key) }
                    return [HTML.escape(group.kind.rawValue), HTML.escape(group.provider), String(group.total), String(group.domains),
                            worst.map { HTML.escape(report.label($0.key)) + " (\($0.value))" } ?? "–"]
                }, className: "plain")
        }
        guard !changes.regressions.isEmpty else { return html }
        let listed = changes.regressions.prefix(listedRegressions)
        html += "<p>Regressed cells" + (listed.count < changes.regressions.count ? " (the first \(listed.count); all in report.json)" : "") + "</p>"
        html += HTML.table(["Domain", "Layer", "Standard", "Before", "Now", "Evidence before", "Evidence now"], listed.map { cell in
            [HTML.escape(cell.domain), HTML.escape(layerTitle(cell.layer ?? "none")), HTML.escape(report.label(cell.column)),
             HTML.escape(cell.before?.status.rawValue ?? "–"), HTML.escape(cell.after?.status.rawValue ?? "–"),
             HTML.escape(cell.before?.because ?? ""), HTML.escape(cell.after?.because ?? "")]
        }, className: "plain")
        return html
    }
}
