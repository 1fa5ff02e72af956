import Checks
import Foundation
import Hummingbird
import PeilModel
import Report
import Store
import Verdicts

extension PageRoutes {
    /// `GET /measurements`: every measurement, newest first (`#measurements`, a row
    /// `#measurement-ID` each with its `<progress>`), reloading every 10 s while one runs; the
    /// form to start one (`#start-form`: a check box `set` per set, `#start`).
    @Sendable func measurementsPage(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.require(.read)
        let tag = context.key?.tag
        let (measurements, sets) = try await api.runner.run { store in (try store.measurements(), try store.listSets(limitedTo: tag)) }
        let progress = try await api.runner.run { store in
            try measurements.prefix(100).map { try store.progress(measurementID: $0.id) }
        }
        let rows = zip(measurements.prefix(100), progress).map { info, progress in
            "<tr id=\"measurement-\(info.id)\"><td><a href=\"\(Self.measurementPath(info.id))\">\(PageHTML.text(PageHTML.name(info)))</a></td>"
                + "<td>\(PageHTML.date(info.createdAt))</td><td>\(PageHTML.text(info.sets.joined(separator: ", ")))</td>"
                + "<td>\(info.imported ? "imported" : Self.progressHTML(progress, id: nil))</td></tr>"
        }
        let running = progress.contains { !$0.isComplete }
        var body = measurements.isEmpty ? "<p id=\"no-measurements\">No measurement yet.</p>"
            : PageHTML.table(id: "measurements", ["Measurement", "Started", "Sets", "Progress"], rows)
        if mayWrite(context, wholeSets: true) && !sets.isEmpty {
            let boxes = sets.map { set in
                "<label><input type=\"checkbox\" name=\"set\" value=\"\(PageHTML.text(set.name))\"> \(PageHTML.text(set.name)) (\(set.domains) domains)</label>"
            }.joined()
            body += "<h2>Start a measurement</h2>" + PageHTML.form("/measurements", id: "start-form", context, "<fieldset><legend>Sets</legend>\(boxes)</fieldset>",
                                                                    button: "Start measuring", buttonID: "start")
        }
        return PageHTML.response(PageHTML.page("Measurements", context, refresh: running ? 10 : nil, body))
    }

    /// A progress bar with its numbers (`id` on the bar and `id-text` on the words when given).
    static func progressHTML(_ progress: MeasurementProgress, id: String?) -> String {
        let percent = progress.total == 0 ? 100 : progress.finished * 100 / progress.total
        let bar = "<progress" + (id.map { " id=\"\($0)\"" } ?? "") + " value=\"\(progress.finished)\" max=\"\(max(progress.total, 1))\">\(percent)%</progress>"
        return bar + " <span" + (id.map { " id=\"\($0)-text\"" } ?? "") + ">\(progress.finished) of \(progress.total) tasks (\(percent)%)"
            + (progress.isComplete ? ", complete" : ": \(progress.queued) queued, \(progress.leased) in progress") + "</span>"
    }

    /// `POST /measurements` (fields `set`, one or more): starts a measurement through the API's
    /// action and goes to its page.
    @Sendable func startMeasurement(_ request: Request, context: APIContext) async throws -> Response {
        let sets = context.form.all("set")
        guard !sets.isEmpty else { throw APIError(.badRequest, "choose at least one set") }
        let id = try await api.startMeasurementAction(context, sets: sets)
        return PageHTML.redirect(Self.measurementPath(id))
    }

    /// `POST /measurements/{id}/cancel`.
    @Sendable func cancelMeasurement(_ request: Request, context: APIContext) async throws -> Response {
        let id = try api.measurementID(context)
        _ = try await api.cancelMeasurementAction(context, id: id)
        return PageHTML.redirect(Self.measurementPath(id))
    }

    /// `GET /measurements/{id}`: what it is, its progress (`#progress`, `#progress-text`,
    /// reloading every 5 s until complete), links to its views (`#link-report`, `#link-layers`,
    /// `#link-tags`) and downloads (`#download-results`, `#download-adoption`, `#download-layers`,
    /// `#download-domains`), a cancel button while it runs (`#cancel`), and its domains
    /// (`#domains`, each a link to the domain's page).
    @Sendable func measurementPage(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.require(.read)
        let id = try api.measurementID(context)
        let (info, progress) = try await api.runner.run { store in (try store.measurementInfo(String(id)), try store.progress(measurementID: id)) }
        var body = "<p id=\"measurement-info\">Measurement <b>\(PageHTML.text(PageHTML.name(info)))</b> (id \(info.id)), started "
            + "\(PageHTML.date(info.createdAt)) over \(PageHTML.text(info.sets.joined(separator: ", ")))"
            + (info.imported ? ", imported results of \(PageHTML.text(info.measuredOn ?? "?"))" : "") + ".</p>"
        body += "<p>" + Self.progressHTML(progress, id: "progress") + "</p>"
        if !progress.isComplete && mayWrite(context, wholeSets: true) {
            body += PageHTML.form(Self.measurementPath(id, "/cancel"), id: "cancel-form", context, "", button: "Cancel the measurement", buttonID: "cancel")
        }
        body += "<nav><a id=\"link-report\" href=\"\(Self.measurementPath(id, "/report"))\">Report</a> "
            + "<a id=\"link-layers\" href=\"\(Self.measurementPath(id, "/layers"))\">Per layer</a> "
            + "<a id=\"link-tags\" href=\"\(Self.measurementPath(id, "/tags"))\">Per tag</a></nav>"
        body += downloads(id, imported: info.imported)
        let report = try await api.buildReport(.init(), context, id: id)
        let rows = report.domains.map { row in
            let failed = row.cells.values.filter { $0.status == .failed }.count
            return "<tr data-domain=\"\(PageHTML.text(row.domain))\"><td><a href=\"\(PageHTML.text(Self.measurementPath(id, "/domains/" + row.domain)))\">"
                + "\(PageHTML.text(row.domain))</a></td><td>\(PageHTML.text(row.layer ?? ""))</td><td>\(PageHTML.text(row.organisation ?? ""))</td>"
                + "<td>\(failed)</td></tr>"
        }
        body += "<h2>Domains (\(rows.count))</h2>" + PageHTML.table(id: "domains", ["Domain", "Layer", "Organisation", "Failed columns"], rows)
        return PageHTML.response(PageHTML.page("Measurement \(PageHTML.name(info))", context, refresh: progress.isComplete ? nil : 5, body))
    }

    /// The download links (`results.csv` only for a measurement of Peil's own: imported results have no observations to judge).
    func downloads(_ id: Int64, imported: Bool = false) -> String {
        "<p id=\"downloads\">Download (CSV): "
            + (imported ? "" : "<a id=\"download-results\" href=\"\(Self.measurementPath(id, "/results.csv"))\">results.csv</a> ")
            + Self.reportFiles.map { "<a id=\"download-\($0.dropLast(4))\" href=\"\(Self.measurementPath(id, "/" + $0))\">\($0)</a>" }.joined(separator: " ")
            + "</p>"
    }

    static let reportFiles = ["adoption.csv", "layers.csv", "domains.csv", "suppliers.csv"]

    /// The report query of a page's GET form (empty fields are not given).
    func reportQuery(_ request: Request) throws -> APIRoutes.ReportQuery {
        let query = request.uri.queryParameters
        func value(_ name: String) -> String? { query[name[...]].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
        func rules(_ name: String) throws -> RuleSet? {
            try value(name).map { text in
                guard let rules = RuleSet(rawValue: text) else { throw APIError(.badRequest, "unknown rule set '\(text)'") }
                return rules
            }
        }
        return .init(sets: ReportLoader.list(value("sets")), baseline: value("baseline"), rules: try rules("rules"),
                     baselineRules: try rules("baselineRules"), by: value("by"))
    }

    /// The GET form choosing what a report is over (`#report-form`: `sets`, `baseline`, `rules`, and `by` on the tags page).
    func reportForm(_ action: String, _ query: APIRoutes.ReportQuery, measurements: [MeasurementInfo], tags: [String]?) -> String {
        let baselines = ["<option value=\"\">none</option>"] + measurements.map { info in
            let value = String(info.id)
            return "<option value=\"\(value)\"\(query.baseline == value || query.baseline == info.name ? " selected" : "")>\(PageHTML.text(PageHTML.name(info)))</option>"
        }
        let rules = ["<option value=\"\">default</option>"] + RuleSet.allCases.map { rules in
            "<option\(query.rules == rules ? " selected" : "")>\(PageHTML.text(rules.rawValue))</option>"
        }
        var html = "<form method=\"get\" action=\"\(PageHTML.text(action))\" id=\"report-form\">"
            + "<label>Sets (comma-separated; empty: the measurement's) <input name=\"sets\" id=\"sets\" value=\"\(PageHTML.text(query.sets?.joined(separator: ",") ?? ""))\"></label>"
            + "<label>Baseline <select name=\"baseline\" id=\"baseline\">\(baselines.joined())</select></label>"
            + "<label>Rules <select name=\"rules\" id=\"rules\">\(rules.joined())</select></label>"
        if let tags {
            html += "<label>Tag <select name=\"by\" id=\"by\">" + tags.map { tag in
                "<option\(query.by == tag ? " selected" : "")>\(PageHTML.text(tag))</option>"
            }.joined() + "</select></label>"
        }
        return html + "<button type=\"submit\" id=\"show\">Show</button></form>"
    }

    /// A report view of measurement `id`: the form, then `sections` of the report (the report's own HTML and SVG charts).
    func reportView(_ request: Request, _ context: APIContext, title: String, path: String, sections: Set<String>, tags: Bool) async throws -> Response {
        _ = try context.require(.read)
        let id = try api.measurementID(context)
        let query = try reportQuery(request)
        let tag = context.key?.tag
        let (measurements, sets) = try await api.runner.run { store in (try store.measurements(), try store.listSets(limitedTo: tag)) }
        let tagNames = Array(Set(sets.flatMap(\.tags.keys))).sorted()
        var body = "<p><a href=\"\(Self.measurementPath(id))\" id=\"link-measurement\">Back to the measurement</a></p>"
            + reportForm(Self.measurementPath(id, path), query, measurements: measurements, tags: tags ? tagNames : nil)
        if tags && query.by == nil {
            body += "<p id=\"choose-tag\">Choose a tag to see adoption per value.</p>"
        } else {
            let report = try await api.buildReport(query, context, id: id)
            body += "<div id=\"report\">" + HTMLReport.sections(report, sections) + "</div>"
        }
        return PageHTML.response(PageHTML.page(title, context, body + downloads(id)))
    }

    /// `GET /measurements/{id}/report`: the report (primary vs broad and any sets given): adoption, layers, baseline, IPv6, suppliers, domains.
    @Sendable func reportPage(_ request: Request, context: APIContext) async throws -> Response {
        try await reportView(request, context, title: "Report", path: "/report",
                             sections: ["adoption", "layers", "baseline", "ipv6", "suppliers", "domains"], tags: false)
    }

    /// `GET /measurements/{id}/layers`: adoption per government layer.
    @Sendable func layersPage(_ request: Request, context: APIContext) async throws -> Response {
        try await reportView(request, context, title: "Per layer", path: "/layers", sections: ["layers"], tags: false)
    }

    /// `GET /measurements/{id}/tags?by=TAG`: adoption per value of a tag.
    @Sendable func tagsPage(_ request: Request, context: APIContext) async throws -> Response {
        try await reportView(request, context, title: "Per tag", path: "/tags", sections: ["slices"], tags: true)
    }

    /// `GET /measurements/{id}/results.csv`: every visible domain judged, as `peil results --format csv`.
    @Sendable func resultsCSV(_ request: Request, context: APIContext) async throws -> Response {
        let id = try api.measurementID(context)
        let visible = try await api.visibleDomains(context)
        let rules = try reportQuery(request).rules ?? .internetnlCurrent
        let verdicts = try await api.judged(id, rules).verdicts.filter { visible?.contains($0.domain) ?? true }
        var response = api.stream(ResultsFormats.csv(verdicts), contentType: "text/csv; charset=utf-8")
        response.headers[.contentDisposition] = "attachment; filename=\"results-\(id).csv\""
        return response
    }

    /// `GET /measurements/{id}/{adoption,layers,domains,suppliers}.csv`: the report's CSV files, as `peil report` writes them.
    @Sendable func reportCSV(_ request: Request, context: APIContext) async throws -> Response {
        let id = try api.measurementID(context)
        let file = context.parameters.get("file") ?? ""
        guard Self.reportFiles.contains(file) else { throw APIError(.notFound, "no such page") }
        let report = try await api.buildReport(try reportQuery(request), context, id: id)
        let text = switch file {
        case "adoption.csv": CSVReport.adoption(report)
        case "layers.csv": CSVReport.layers(report)
        case "domains.csv": CSVReport.domains(report)
        default: CSVReport.suppliers(report)
        }
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(file.dropLast(4))-\(id).csv\""],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
