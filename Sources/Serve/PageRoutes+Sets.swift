import Foundation
import Hummingbird
import PeilModel
import Store

extension PageRoutes {
    /// `GET /sets`: the sets the key may see (`#sets`) and the import form (`#import-form`:
    /// `name`, `format` plain or csv, the list in `list`; `#import`).
    @Sendable func setsPage(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.require(.read)
        let tag = context.key?.tag
        let sets = try await api.runner.run { try $0.listSets(limitedTo: tag) }
        let rows = sets.map { set in
            let layers = set.layers.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
            let tags = set.tags.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            return "<tr data-set=\"\(PageHTML.text(set.name))\"><td>\(PageHTML.text(set.name))</td><td>\(set.domains)</td>"
                + "<td>\(PageHTML.text(layers))</td><td>\(PageHTML.text(tags))</td><td>\(PageHTML.date(set.importedAt))</td></tr>"
        }
        var body = PageHTML.table(id: "sets", ["Set", "Domains", "Layers", "Tags", "Imported"], rows)
        if mayWrite(context, wholeSets: true) {
            body += "<h2>Import a list</h2><p>Replaces the set's members, parsed as <code>peil import</code> parses a file: one bad "
                + "line refuses the whole list, and every bad line is named.</p>"
                + PageHTML.form("/sets", id: "import-form", context,
                                "<label>Set <input name=\"name\" id=\"name\" required></label>"
                                + "<label>Format <select name=\"format\" id=\"format\"><option value=\"plain\">one domain a line</option>"
                                + "<option value=\"csv\">CSV with a header (domain,layer,tags…)</option></select></label>"
                                + "<label>List <textarea name=\"list\" id=\"list\" required></textarea></label>",
                                button: "Import", buttonID: "import")
        }
        return PageHTML.response(PageHTML.page("Sets", context, body))
    }

    /// `POST /sets`: the import through the API's action; a refused list answers 422 with every bad line (`#problems`).
    @Sendable func importSet(_ request: Request, context: APIContext) async throws -> Response {
        let name = context.form["name"] ?? ""
        let fileName = context.form["format"] == "csv" ? "list.csv" : "list.txt"
        let summary = try await api.importSetAction(context, name: name, files: [SeedFile(name: fileName, text: context.form["list"] ?? "")])
        let body = "<p id=\"import-summary\">Set <b>\(PageHTML.text(summary.set))</b>: \(summary.domains) domains, "
            + "\(summary.added) added, \(summary.removed) removed.</p><p><a href=\"/sets\">Back to the sets</a></p>"
        return PageHTML.response(PageHTML.page("Imported", context, body))
    }

    /// `GET /explanations`: every explanation the key may see (`#explanations`, each with
    /// its expire button `#expire-ID`) and the form to add one (`#explain-form`).
    @Sendable func explanationsPage(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.require(.read)
        let visible = try await api.visibleDomains(context)
        let all = try await api.runner.run { try $0.explanations() }.filter { visible?.contains($0.domain) ?? true }
        var body = "<p>Comply or explain: an organisation's explanation of a failed standard, shown beside the failure in the reports.</p>"
            + explanationTable(all, context)
        if mayWrite(context) { body += explanationForm(context, domain: nil) }
        return PageHTML.response(PageHTML.page("Explanations", context, body))
    }

    func explanationTable(_ explanations: [Explanation], _ context: APIContext) -> String {
        let rows = explanations.map { explanation in
            "<tr id=\"explanation-\(explanation.id)\"><td>\(PageHTML.text(explanation.domain))</td><td>\(PageHTML.text(explanation.column.key))</td>"
                + "<td>\(PageHTML.text(explanation.text))</td><td>\(PageHTML.text(explanation.by))</td>"
                + "<td>\(PageHTML.text(explanation.recordedAt))</td><td>\(PageHTML.text(explanation.until ?? ""))</td><td>"
                + (mayWrite(context) ? PageHTML.form("/explanations/\(explanation.id)/expire", id: "expire-form-\(explanation.id)", context, "",
                                                     button: "Expire", buttonID: "expire-\(explanation.id)", className: "inline") : "")
                + "</td></tr>"
        }
        return PageHTML.table(id: "explanations", ["Domain", "Column", "Explanation", "By", "Recorded", "Until", ""], rows, className: "explanations")
    }

    func explanationForm(_ context: APIContext, domain: String?) -> String {
        let columns = BulkColumns.all.map { "<option>\(PageHTML.text($0.key))</option>" }.joined()
        let domainField = domain.map { "<input type=\"hidden\" name=\"domain\" value=\"\(PageHTML.text($0))\">" }
            ?? "<label>Domain <input name=\"domain\" id=\"explain-domain\" required></label>"
        return "<h3>Add an explanation</h3>" + PageHTML.form("/explanations", id: "explain-form", context,
            domainField + "<label>Column <select name=\"column\" id=\"explain-column\">\(columns)</select></label>"
                + "<label>Explanation <textarea name=\"text\" id=\"explain-text\" required></textarea></label>"
                + "<label>Until (yyyy-mm-dd, optional) <input name=\"until\" id=\"explain-until\"></label>",
            button: "Add the explanation", buttonID: "explain")
    }

    /// `POST /explanations` (`domain`, `column`, `text`, `until`): through the API's action.
    @Sendable func addExplanation(_ request: Request, context: APIContext) async throws -> Response {
        let until = context.form["until"].flatMap { $0.isEmpty ? nil : $0 }
        _ = try await api.addExplanationAction(context, domain: context.form["domain"] ?? "", column: context.form["column"] ?? "",
                                               text: context.form["text"] ?? "", until: until)
        return PageHTML.redirect("/explanations")
    }

    /// `POST /explanations/{id}/expire`: withdraws the explanation.
    @Sendable func expireExplanation(_ request: Request, context: APIContext) async throws -> Response {
        guard let text = context.parameters.get("id"), let id = Int64(text) else { throw APIError(.badRequest, "an explanation id is an integer") }
        _ = try await api.expireExplanationAction(context, id: id)
        return PageHTML.redirect("/explanations")
    }
}
