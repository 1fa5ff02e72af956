import Foundation
import Hummingbird
import Store

extension APIRoutes {
    /// `GET /audit`: the newest writes through the API, newest first (`limit`); admin only.
    @Sendable func audit(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.requireUnlimited(.admin, "read the audit")
        let limit = try limit(request)
        let entries = try await runner.run { try $0.auditEntries(limit: limit) }
        return try JSON.response(Page(items: entries, nextCursor: nil))
    }
}
