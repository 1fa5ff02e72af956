import Checks
import Foundation
import Hummingbird
import Store

/// The JSON API under `/api/v1`: each handler checks the key's role (``APIContext``), reads and
/// writes through the store's own functions, and answers as `openapi.json` says.
struct APIRoutes: Sendable {
    let runner: StoreRunner
    let document: OpenAPIDocument
    let configuration: ServeConfiguration
    /// Judged report inputs of finished measurements (the report and domain pages' cost; `LoadCache`).
    let reportInputs = ReportInputCache()

    static let prefix = "/api/v1"
    static let documentPath = prefix + "/openapi.json"

    func register(on router: Router<APIContext>) {
        let api = router.group(RouterPath(Self.prefix))
        api.get("openapi.json", use: openAPI)
        api.get("sets", use: listSets)
        api.post("sets", use: importSet)
        api.get("measurements", use: listMeasurements)
        api.post("measurements", use: startMeasurement)
        api.get("measurements/:id", use: measurementStatus)
        api.post("measurements/:id/cancel", use: cancelMeasurement)
        api.get("measurements/:id/results", use: results)
        api.get("measurements/:id/domains/:domain", use: domainResult)
        api.get("measurements/:id/report", use: report)
        api.post("measurements/:id/rescans", use: rescan)
        api.get("diff", use: diff)
        api.get("audit", use: audit)
        api.get("explanations", use: listExplanations)
        api.post("explanations", use: addExplanation)
    }

    @Sendable func openAPI(_ request: Request, context: APIContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: document.bytes)))
    }

    /// The domains the key may see: nil for every domain, else its organisation's.
    func visibleDomains(_ context: APIContext) async throws -> Set<String>? {
        guard let tag = try context.require(.read).tag else { return nil }
        return try await runner.run { try $0.domainNames(taggedWith: tag) }
    }

    /// The JSON body of the operation `method` on the document's `path`, checked and decoded.
    func body<Body: Decodable>(_ type: Body.Type, _ request: Request, _ method: String, _ path: String) async throws -> Body {
        try await request.decodeJSON(type, method, Self.prefix + path, document: document, limit: configuration.maxBodyBytes)
    }

    /// The measurement id of the path.
    func measurementID(_ context: APIContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw APIError(.badRequest, "a measurement id is a positive integer")
        }
        return id
    }

    /// The `rules` query parameter (default internetnl-current).
    func ruleSet(_ request: Request, _ name: String = "rules") throws -> RuleSet? {
        guard let text = request.uri.queryParameters[name[...]].map(String.init) else { return nil }
        guard let rules = RuleSet(rawValue: text) else {
            throw APIError(.badRequest, "unknown rule set '\(text)' (\(RuleSet.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return rules
    }

    /// `limit` (1…1000, default 100) of a list.
    func limit(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["limit"] else { return 100 }
        guard let limit = Int(text), (1...1000).contains(limit) else { throw APIError(.badRequest, "limit is an integer from 1 to 1000") }
        return limit
    }

    /// The Public Suffix List, or a 500 naming why it cannot be read.
    func suffixList() throws -> PublicSuffixList {
        do { return try configuration.loadSuffixList() } catch { throw APIError(.internalServerError, "the Public Suffix List cannot be read: \(error)") }
    }
}
