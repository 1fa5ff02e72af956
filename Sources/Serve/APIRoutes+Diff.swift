import Foundation
import Hummingbird
import Report
import Store
import Verdicts

extension APIRoutes {
    /// `GET /diff?before=A&after=B`: what changed per domain and column between two
    /// measurements (ids or names), as `peil diff` compares them (``Verdicts/ReportLoader/diff(_:_:set:rules:includeUnchanged:)``):
    /// over `set` or both measurements' sets, under `rules`, `all=true` listing unchanged cells
    /// too; `format=csv` for `peil diff --format csv`'s table. A tag-limited key's diff covers
    /// its own domains only, counts included.
    @Sendable func diff(_ request: Request, context: APIContext) async throws -> Response {
        let visible = try await visibleDomains(context)
        let query = request.uri.queryParameters
        guard let before = query["before"].map(String.init), let after = query["after"].map(String.init) else {
            throw APIError(.badRequest, "give before and after: two measurements, ids or names")
        }
        let format = query["format"].map(String.init) ?? "json"
        guard ["json", "csv"].contains(format) else { throw APIError(.badRequest, "format is json or csv") }
        guard [nil, "true", "false"].contains(query["all"].map(String.init)) else { throw APIError(.badRequest, "all is true or false") }
        let all = query["all"] == "true"
        var diff = try await loader.diff(before, after, set: query["set"].map(String.init), rules: try ruleSet(request),
                                         includeUnchanged: all || visible != nil)
        if let visible { diff = diff.limited(to: visible, includeUnchanged: all) }
        if format == "csv" {
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: DiffFormats.csv(diff))))
        }
        return try JSON.response(diff)
    }
}

extension MeasurementDiff {
    /// This diff (made with unchanged cells) over `domains` only, counted again from its cells.
    func limited(to domains: Set<String>, includeUnchanged: Bool) -> MeasurementDiff {
        var diff = self
        let kept = cells.filter { domains.contains($0.domain) }
        diff.counts = Dictionary(grouping: kept, by: \.change).mapValues(\.count)
        diff.cells = includeUnchanged ? kept : kept.filter { $0.change != .unchanged }
        return diff
    }
}
