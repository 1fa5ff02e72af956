import Foundation
import Hummingbird
import PeilModel
import Store

extension APIRoutes {
    /// `GET /explanations`: every explanation the key may see (a tag-limited key: its own domains').
    @Sendable func listExplanations(_ request: Request, context: APIContext) async throws -> Response {
        let visible = try await visibleDomains(context)
        let all = try await runner.run { try $0.explanations() }
        let shown = all.filter { visible?.contains($0.domain) ?? true }
        return try JSON.response(Page(items: shown.map(ExplanationBody.init), nextCursor: nil))
    }

    /// `POST /explanations`: records an organisation's explanation for a column (comply or
    /// explain), given by the key; analyst, and a tag-limited key for its own domains only.
    @Sendable func addExplanation(_ request: Request, context: APIContext) async throws -> Response {
        let key = try context.require(.analyst)
        let visible = try await visibleDomains(context)
        let body = try await body(ExplanationRequest.self, request, "POST", "/explanations")
        let domain: DomainName
        do { domain = try DomainName(parsing: body.domain) } catch { throw APIError(.unprocessableContent, "'\(body.domain)' is not a domain name") }
        guard visible?.contains(domain.value) ?? true else { throw APIError(.notFound, "domain '\(domain.value)' is in no set (see GET /sets)") }
        let column: BulkColumnID
        do { column = try BulkColumns.column(named: body.column) } catch { throw APIError(.unprocessableContent, error.description) }
        context.auditTarget.set("\(domain.value) \(column.key)")
        let explanation = try await runner.run {
            try $0.addExplanation(domain: domain, column: column, text: body.text, by: "API key \(key.name)", until: body.until)
        }
        return try JSON.response(ExplanationBody(explanation), status: .created)
    }
}
