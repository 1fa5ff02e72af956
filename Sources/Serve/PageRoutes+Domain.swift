import Checks
import Foundation
import Hummingbird
import PeilModel
import Report
import Store
import Verdicts

extension PageRoutes {
    /// How many earlier measurements the domain page's history reads (each is judged again).
    static let historyLength = 8

    /// `GET /measurements/{id}/domains/{domain}`: the domain in this measurement (the report's
    /// per-domain table and every subtest with its status and evidence), its history over the
    /// measurements (`#history`), the rescan button (`#rescan-form`, `#rescan`), its
    /// explanations (`#explanations`) and the form to add one (`#explain-form`). 404 for a
    /// domain the measurement lacks or the key may not see.
    @Sendable func domainPage(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.require(.read)
        let id = try api.measurementID(context)
        let name = (context.parameters.get("domain") ?? "").lowercased()
        let visible = try await api.visibleDomains(context)
        guard visible?.contains(name) ?? true else { throw APIError(.notFound, "measurement \(id) has no domain \(name)") }
        let report = try await api.buildReport(.init(), context, id: id, only: [name])
        guard report.domains.contains(where: { $0.domain == name }) else { throw APIError(.notFound, "measurement \(id) has no domain \(name)") }
        var body = "<p><a href=\"\(Self.measurementPath(id))\" id=\"link-measurement\">Back to the measurement</a></p>"
        if mayWrite(context) {
            body += PageHTML.form(Self.measurementPath(id, "/rescans"), id: "rescan-form", context,
                                  "<input type=\"hidden\" name=\"domain\" value=\"\(PageHTML.text(name))\">",
                                  button: "Rescan this domain", buttonID: "rescan")
        }
        body += HTMLReport.sections(report, ["domains", "subtests"]).replacingOccurrences(of: "<details class=\"subtests\">", with: "<details class=\"subtests\" open>")
        body += try await history(name, context, columns: report.columns)
        body += try await explanations(of: name, context)
        return PageHTML.response(PageHTML.page("Domain \(name)", context, body))
    }

    /// The domain's statuses per column in the newest measurements that have it. A measurement
    /// still running is a row that says so: judging it would judge the whole measurement again
    /// on every view (finished ones are judged once, ``LoadCache``).
    func history(_ name: String, _ context: APIContext, columns: [ReportColumn]) async throws -> String {
        let measurements = try await api.runner.run { store in
            try store.measurements().prefix(Self.historyLength * 2).map { ($0, try store.progress(measurementID: $0.id)) }
        }
        var rows: [String] = []
        for (info, progress) in measurements where rows.count < Self.historyLength {
            let link = "<td><a href=\"\(PageHTML.text(Self.measurementPath(info.id, "/domains/" + name)))\">"
                + "\(PageHTML.text(PageHTML.name(info)))</a></td><td>\(PageHTML.date(info.createdAt))</td>"
            if !progress.isComplete {
                rows.append("<tr data-measurement=\"\(info.id)\">" + link
                    + "<td colspan=\"\(columns.count)\">running: \(progress.done + progress.notTestable) of \(progress.total) tasks</td></tr>")
                continue
            }
            guard let report = try? await api.buildReport(.init(), context, id: info.id, only: [name]),
                  let row = report.domains.first(where: { $0.domain == name }) else { continue }
            rows.append("<tr data-measurement=\"\(info.id)\">" + link
                + columns.map { column in
                    let status = row.cells[column.key]?.status.rawValue ?? ""
                    return "<td class=\"s-\(PageHTML.text(status))\">\(PageHTML.text(status))</td>"
                }.joined() + "</tr>")
        }
        return "<h2>History</h2><p>The domain's status per standard in the newest measurements that have it.</p>"
            + PageHTML.table(id: "history", ["Measurement", "Started"] + columns.map(\.label), rows)
    }

    /// The explanations of `name` and, for an analyst, the form to add one.
    func explanations(of name: String, _ context: APIContext) async throws -> String {
        let all = try await api.runner.run { try $0.explanations() }
        var html = "<h2>Explanations</h2>" + explanationTable(all.filter { $0.domain == name }, context)
        if mayWrite(context) { html += explanationForm(context, domain: name) }
        return html
    }

    /// `POST /measurements/{id}/rescans` (field `domain`, or `only` statuses): a rescan through the API's action; goes to the new measurement.
    @Sendable func rescan(_ request: Request, context: APIContext) async throws -> Response {
        let id = try api.measurementID(context)
        let domains = context.form.all("domain"), only = context.form.all("only")
        guard domains.isEmpty != only.isEmpty else { throw APIError(.badRequest, "give domains or statuses, not both") }
        let choice: RescanChoice
        if only.isEmpty {
            choice = .domains(domains)
        } else {
            choice = .statuses(Set(try only.map { word in
                guard let status = Status(rawValue: word) else { throw APIError(.badRequest, "'\(word)' is not a status") }
                return status
            }))
        }
        let answer = try await api.rescanAction(context, id: id, choice: choice, rules: nil)
        return PageHTML.redirect(Self.measurementPath(answer.id))
    }
}
