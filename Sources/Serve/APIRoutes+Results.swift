import Checks
import Foundation
import Hummingbird
import PeilModel
import Store
import Verdicts

extension APIRoutes {
    /// `GET /measurements/{id}/results`: every domain judged under `rules`, each column and
    /// subtest with its evidence (``Verdicts/ResultsFormats``), filtered by `domain`, `status`
    /// (any column in it) and `tag` (`NAME=VALUE`), and to the key's own domains when it is
    /// tag-limited. `format=json` (default) is a page (`limit`, `cursor`: the last domain of the
    /// page before); `csv` and `jsonl` stream every matching domain; `batch` is Internet.nl's
    /// batch API response for `test` (web or mail).
    @Sendable func results(_ request: Request, context: APIContext) async throws -> Response {
        let id = try measurementID(context)
        let visible = try await visibleDomains(context)
        let query = request.uri.queryParameters
        let format = query["format"].map(String.init) ?? "json"
        guard ["json", "csv", "jsonl", "batch"].contains(format) else { throw APIError(.badRequest, "format is json, csv, jsonl or batch") }
        let status = try query["status"].map { text in
            guard let status = Status(rawValue: String(text)) else { throw APIError(.badRequest, "'\(text)' is not a status") }
            return status
        }
        let tagged = try await query["tag"].asyncMap { text in
            guard let tag = TagLimit(parsing: String(text)) else { throw APIError(.badRequest, "tag is NAME=VALUE") }
            return try await runner.run { try $0.domainNames(taggedWith: tag) }
        }
        let rules = try ruleSet(request) ?? .internetnlCurrent
        let limit = try limit(request)
        let (verdicts, info) = try await judged(id, rules)
        let domain = query["domain"].map { String($0).lowercased() }
        let matching = verdicts.filter { verdict in
            (visible?.contains(verdict.domain) ?? true) && (tagged?.contains(verdict.domain) ?? true)
                && (domain == nil || verdict.domain == domain)
                && (status == nil || BulkColumns.all.contains { verdict[$0]?.status == status })
        }
        switch format {
        case "csv": return stream(ResultsFormats.csv(matching), contentType: "text/csv; charset=utf-8")
        case "jsonl": return stream(try ResultsFormats.jsonLines(matching, ruleSet: rules), contentType: "application/x-ndjson")
        case "batch":
            guard let test = BulkTest(rawValue: query["test"].map(String.init) ?? "web") else { throw APIError(.badRequest, "test is web or mail") }
            let text = try ResultsFormats.batchJSON(matching, measurementID: id, ruleSet: rules, test: test, submitted: info.createdAt, finished: Date())
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
        default:
            let cursor = query["cursor"].map(String.init)
            let after = matching.filter { cursor == nil || $0.domain > cursor! }
            let page = Array(after.prefix(limit))
            let lines = try ResultsFormats.jsonLines(page, ruleSet: rules)
            let next = after.count > limit ? page.last?.domain : nil
            let text = #"{"items":["# + lines.joined(separator: ",") + #"],"nextCursor":"# + (try next.map { String(decoding: try JSON.encode($0), as: UTF8.self) } ?? "null") + "}"
            return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// `GET /measurements/{id}/domains/{domain}`: one domain, every column and subtest with its
    /// evidence; 404 for a domain the measurement lacks or the key may not see.
    @Sendable func domainResult(_ request: Request, context: APIContext) async throws -> Response {
        let id = try measurementID(context)
        let visible = try await visibleDomains(context)
        let name = (context.parameters.get("domain") ?? "").lowercased()
        let rules = try ruleSet(request) ?? .internetnlCurrent
        guard visible?.contains(name) ?? true else { throw APIError(.notFound, "measurement \(id) has no domain \(name)") }
        guard let verdict = try await judged(id, rules).verdicts.first(where: { $0.domain == name }) else {
            throw APIError(.notFound, "measurement \(id) has no domain \(name)")
        }
        let line = try ResultsFormats.jsonLines([verdict], ruleSet: rules)[0]
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: line)))
    }

    /// The measurement's verdicts under `rules`, as ``Verdicts/DomainVerdicts/judge(store:measurementID:ruleSet:psl:)``
    /// gives them, with the reading on the store's queue and only the judging on the pool.
    func judged(_ id: Int64, _ rules: RuleSet) async throws -> (verdicts: [DomainVerdicts], info: MeasurementInfo) {
        let info = try await runner.run { try $0.measurementInfo(String(id)) }
        guard info.id == id else { throw StoreError.unknownMeasurement(id) }
        guard !info.imported else { throw APIError(.unprocessableContent, "measurement \(id) is imported: it has published statuses, not observations (see its report)") }
        let psl = try suffixList()
        let observations = try await runner.run { try MeasurementObservations.load(store: $0, measurementID: id) }
        return (await DomainVerdicts.evaluate(observations, ruleSet: rules, psl: psl), info)
    }

    /// `lines` (one per row) written as they go, in chunks: a large export is never one buffer.
    func stream(_ lines: [String], contentType: String) -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: .init { writer in
            for start in stride(from: 0, to: lines.count, by: 256) {
                let chunk = lines[start..<min(start + 256, lines.count)].map { $0 + "\n" }.joined()
                try await writer.write(ByteBuffer(string: chunk))
            }
            try await writer.finish(nil)
        })
    }
}

extension Optional {
    /// `transform` of the wrapped value, awaited; nil stays nil.
    func asyncMap<Mapped>(_ transform: (Wrapped) async throws -> Mapped) async rethrows -> Mapped? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
