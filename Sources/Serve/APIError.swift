import Foundation
import Hummingbird
import PeilModel
import Store

/// An answer other than success, as the API gives it: a status and `{"error": {"status", "message",
/// "problems"}}` (``ErrorBody``); `problems` names every bad line of a refused list, every field
/// of a refused body.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    public var problems: [String]
    /// Extra headers (`Retry-After`, `WWW-Authenticate`).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, problems: [String] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.problems = problems
        self.headers = headers
    }

    /// The JSON body of an error answer.
    public struct ErrorBody: Codable, Sendable {
        public struct Detail: Codable, Sendable {
            public var status: Int
            public var message: String
            public var problems: [String]
        }
        public var error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        let body = ErrorBody(error: .init(status: status.code, message: message, problems: problems))
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: try JSON.encode(body))))
    }

    /// Any error as the API answers it: store refusals as 404/409/422, Hummingbird's own
    /// (an unknown route, a body over the limit) with their status, anything else as 500
    /// without its details (they go to the log).
    static func from(_ error: any Error) -> APIError? {
        switch error {
        case let error as APIError: return error
        case let error as HTTPError: return APIError(error.status, error.body ?? error.status.reasonPhrase)
        case let error as SeedListError:
            return APIError(.unprocessableContent, "the list was refused whole: \(error.problems.count) bad line(s)",
                            problems: error.problems.map(\.description))
        case let error as StoreError:
            switch error {
            case .unknownMeasurement, .unknownMeasurementName: return APIError(.notFound, error.description)
            case .unknownSet, .emptySet, .noSets, .emptySetName, .invalidRescan, .invalidSchedule: return APIError(.unprocessableContent, error.description)
            case .measurementNameTaken: return APIError(.conflict, error.description)
            }
        case let error as ExplanationError:
            if case .unknownExplanation = error { return APIError(.notFound, error.description) }
            return APIError(.unprocessableContent, error.description)
        default: return nil
        }
    }
}

/// The API's one JSON encoder: sorted keys, ISO 8601 dates, slashes unescaped.
enum JSON {
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(value))
    }

    /// A JSON answer with `status`.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: try encode(value))))
    }
}
