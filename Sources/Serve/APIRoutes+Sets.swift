import Foundation
import Hummingbird
import PeilModel
import Store

extension APIRoutes {
    /// `GET /sets`: every set with its counts; a tag-limited key sees only the sets holding its
    /// domains, counted over its domains.
    @Sendable func listSets(_ request: Request, context: APIContext) async throws -> Response {
        let tag = try context.require(.read).tag
        let sets = try await runner.run { try $0.listSets(limitedTo: tag) }
        return try JSON.response(Page(items: sets.map(SetBody.init), nextCursor: nil))
    }

    /// `POST /sets`: replaces a set's membership with the lists given, parsed exactly as
    /// `peil import` parses files (``PeilModel/SeedList``): a bad line refuses the whole import
    /// (422, every bad line named) and nothing is written.
    @Sendable func importSet(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.requireUnlimited(.analyst, "import sets")
        let body = try await body(ImportSetRequest.self, request, "POST", "/sets")
        return try JSON.response(try await importSetAction(context, name: body.name, files: body.files.map { SeedFile(name: $0.name, text: $0.text) }))
    }
}

extension APIRoutes {
    /// `GET /measurements`: newest first, `limit` a page, `cursor` the last id of the page before.
    @Sendable func listMeasurements(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.require(.read)
        let limit = try limit(request)
        let cursor = try request.uri.queryParameters["cursor"].map { text in
            guard let id = Int64(text) else { throw APIError(.badRequest, "cursor is a measurement id") }
            return id
        }
        let all = try await runner.run { try $0.measurements() }
        let after = all.filter { cursor == nil || $0.id < cursor! }
        let page = Array(after.prefix(limit))
        return try JSON.response(Page(items: page, nextCursor: after.count > limit ? page.last.map { String($0.id) } : nil))
    }

    /// `POST /measurements`: a measurement over the union of sets (analyst, not tag-limited).
    @Sendable func startMeasurement(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.requireUnlimited(.analyst, "start measurements over whole sets")
        let body = try await body(StartMeasurementRequest.self, request, "POST", "/measurements")
        return try JSON.response(MeasurementStarted(id: try await startMeasurementAction(context, sets: body.sets)), status: .created)
    }

    /// `GET /measurements/{id}`: what it is and its progress.
    @Sendable func measurementStatus(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.require(.read)
        let id = try measurementID(context)
        let (info, progress) = try await runner.run { store in (try store.measurementInfo(String(id)), try store.progress(measurementID: id)) }
        return try JSON.response(MeasurementStatus(measurement: info, progress: progress, complete: progress.isComplete))
    }

    /// `POST /measurements/{id}/cancel`: every task still open ends not testable (analyst, not tag-limited).
    @Sendable func cancelMeasurement(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.requireUnlimited(.analyst, "cancel measurements")
        let id = try measurementID(context)
        let cancelled = try await cancelMeasurementAction(context, id: id)
        return try JSON.response(CancelAnswer(id: id, cancelledTasks: cancelled))
    }
}
