import Foundation
import PeilModel
import Store

// The bodies of the API's requests and answers, as `openapi.json` describes them (component
// schemas of the same names).

/// `POST /sets`: a set's new membership from one or more list files.
struct ImportSetRequest: Decodable {
    struct File: Decodable {
        var name: String
        var text: String
    }
    var name: String
    var files: [File]
}

/// A set in `GET /sets`.
struct SetBody: Encodable {
    var name: String
    var domains: Int
    var layers: [String: Int]
    var withoutLayer: Int
    var importedAt: Date
    var tags: [String: Int]

    init(_ summary: SetSummary) {
        name = summary.name
        domains = summary.domains
        layers = Dictionary(uniqueKeysWithValues: summary.layers.map { ($0.key.rawValue, $0.value) })
        withoutLayer = summary.withoutLayer
        importedAt = summary.importedAt
        tags = summary.tags
    }
}

/// A list answer: the items of one page and the cursor of the next (nil on the last page).
struct Page<Item: Encodable>: Encodable {
    var items: [Item]
    var nextCursor: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }

    enum CodingKeys: String, CodingKey { case items, nextCursor }
}

/// `POST /measurements`.
struct StartMeasurementRequest: Decodable {
    var sets: [String]
}

/// A measurement's id, as a start, a cancel or a rescan answers.
struct MeasurementStarted: Encodable {
    var id: Int64
}

/// `GET /measurements/{id}`: what the measurement is and how far it is.
struct MeasurementStatus: Encodable {
    var measurement: MeasurementInfo
    var progress: MeasurementProgress
    var complete: Bool
}

/// `POST /measurements/{id}/cancel`.
struct CancelAnswer: Encodable {
    var id: Int64
    var cancelledTasks: Int
}

/// `POST /measurements/{id}/rescans`: named domains, or those with a column in some statuses.
struct RescanRequest: Decodable {
    var domains: [String]?
    var only: [String]?
    var rules: String?
}

/// A rescan started.
struct RescanAnswer: Encodable {
    var id: Int64
    var rescanOf: Int64
    var domains: [String]
}

/// `POST /explanations`.
struct ExplanationRequest: Decodable {
    var domain: String
    var column: String
    var text: String
    var until: String?
}

/// An explanation as the API shows it.
struct ExplanationBody: Encodable {
    var id: Int64
    var domain: String
    var column: String
    var text: String
    var by: String
    var recordedAt: String
    var until: String?

    init(_ explanation: Explanation) {
        id = explanation.id
        domain = explanation.domain
        column = explanation.column.key
        text = explanation.text
        by = explanation.by
        recordedAt = explanation.recordedAt
        until = explanation.until
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(domain, forKey: .domain)
        try container.encode(column, forKey: .column)
        try container.encode(text, forKey: .text)
        try container.encode(by, forKey: .by)
        try container.encode(recordedAt, forKey: .recordedAt)
        try container.encode(until, forKey: .until)
    }

    enum CodingKeys: String, CodingKey { case id, domain, column, text, by, recordedAt, until }
}
