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
        _ = try context.require(.analyst)
        let body = try await body(ExplanationRequest.self, request, "POST", "/explanations")
        let explanation = try await addExplanationAction(context, domain: body.domain, column: body.column, text: body.text, until: body.until)
        return try JSON.response(ExplanationBody(explanation), status: .created)
    }
}
