import Foundation
import PeilModel

/// A measurement's identity and kind, for reports.
public struct MeasurementInfo: Sendable, Hashable, Codable {
    public var id: Int64
    public var name: String?
    public var createdAt: Date
    /// Imported results: statuses only, no tasks or observations.
    public var imported: Bool
    /// Imported: the day the results were measured (`yyyy-mm-dd`).
    public var measuredOn: String?
    /// Imported: the rule set the statuses follow.
    public var ruleSet: String?
    /// Imported: the set the results were published for.
    public var sourceSet: String?
    public var sets: [String]
}

/// What ``PeilStore/importResults(name:date:ruleSet:set:entries:rows:)`` stored.
public struct ImportedResultsSummary: Sendable, Hashable, Codable {
    public var measurementID: Int64
    /// Whether an earlier import of the same name was replaced.
    public var replaced: Bool
    public var rows: Int
    public var set: ImportSummary
}

extension PeilStore {
    /// Stores published results as an imported measurement named `name`, together with the set
    /// they were published for (its membership replaced by `entries`), in one transaction. An
    /// earlier import of the same name is replaced; a Peil measurement of that name is not.
    /// - Throws: ``StoreError/measurementNameTaken(_:)``, or a database error (nothing stored).
    public func importResults(name: String, date: String, ruleSet: String, set: String, entries: [SetEntry],
                              rows: [PublishedRow]) throws -> ImportedResultsSummary {
        let payload = try SQLJSON(rows.map(ImportedRow.init))
        return try database.transaction { connection in
            let summary = try Self.importSet(name: set, entries: entries, on: connection)
            let existing = try connection.query("SELECT id, imported FROM measurements WHERE name = \(name) FOR UPDATE").rows.first
            let id: Int64
            if let existing {
                guard try existing.decode("imported", as: Bool.self) else { throw StoreError.measurementNameTaken(name) }
                id = try existing.decode("id")
                try connection.execute("DELETE FROM imported_results WHERE measurement_id = \(id)")
                try connection.execute("""
                    UPDATE measurements SET sets = \(array: [set])::text[], measured_on = \(date)::date, rule_set = \(ruleSet),
                           source_set = \(set), created_at = now()
                    WHERE id = \(id)
                    """)
            } else {
                id = try connection.query("""
                    INSERT INTO measurements (sets, name, imported, measured_on, rule_set, source_set)
                    VALUES (\(array: [set])::text[], \(name), true, \(date)::date, \(ruleSet), \(set))
                    RETURNING id
                    """).single().decode("id")
            }
            let stored = try connection.execute("""
                INSERT INTO imported_results (measurement_id, domain_id, test, host, layer, formal_reaction, statuses)
                SELECT \(id)::bigint, d.id, r.test, r.host, r.layer, r.formal_reaction, r.statuses
                FROM jsonb_to_recordset(\(payload)::jsonb)
                     AS r(domain text, test text, host text, layer text, formal_reaction boolean, statuses jsonb)
                JOIN domains d ON d.name = r.domain
                """)
            guard stored == rows.count else {
                throw DatabaseError(code: .statement, message: "\(rows.count - stored) result rows name a domain outside set \(set)")
            }
            return ImportedResultsSummary(measurementID: id, replaced: existing != nil, rows: stored, set: summary)
        }
    }

    /// The published rows of an imported measurement, by domain then test.
    public func importedResults(measurementID: Int64) throws -> [PublishedRow] {
        try database.query("""
            SELECT d.name AS domain, r.host, r.test, r.layer, r.formal_reaction, r.statuses::text AS statuses
            FROM imported_results r JOIN domains d ON d.id = r.domain_id
            WHERE r.measurement_id = \(measurementID)
            ORDER BY d.name, r.test
            """).rows.map { row in
            let layerName: String = try row.decode("layer")
            guard let layer = Layer(rawValue: layerName) else {
                throw DatabaseError(code: .decoding, message: "unknown layer '\(layerName)' in imported results")
            }
            let statuses = try JSONDecoder().decode([String: Status].self, from: Data(try row.decode("statuses", as: String.self).utf8))
            let testName: String = try row.decode("test")
            guard let test = BulkTest(rawValue: testName) else {
                throw DatabaseError(code: .decoding, message: "unknown test '\(testName)' in imported results")
            }
            return PublishedRow(domain: try row.decode("domain"), host: try row.decode("host"), test: test,
                                layer: layer, formalReaction: try row.decode("formal_reaction"), statuses: statuses)
        }
    }

    /// A measurement by its id (digits) or its name.
    /// - Throws: ``StoreError/unknownMeasurement(_:)`` or ``StoreError/unknownMeasurementName(_:)``.
    public func measurementInfo(_ reference: String) throws -> MeasurementInfo {
        let byID = Int64(reference)
        let rows = try database.query("""
            SELECT id, name, extract(epoch FROM created_at)::float8 AS created_at, imported,
                   to_char(measured_on, 'YYYY-MM-DD') AS measured_on, rule_set, source_set, array_to_json(sets)::text AS sets
            FROM measurements WHERE id = \(byID) OR name = \(reference)
            """).rows
        guard let row = rows.first(where: { (try? $0.decode("id", as: Int64.self)) == byID }) ?? rows.first else {
            if let byID { throw StoreError.unknownMeasurement(byID) }
            throw StoreError.unknownMeasurementName(reference)
        }
        return MeasurementInfo(
            id: try row.decode("id"), name: try row.decode("name", as: String?.self), createdAt: try row.date("created_at"),
            imported: try row.decode("imported"), measuredOn: try row.decode("measured_on", as: String?.self),
            ruleSet: try row.decode("rule_set", as: String?.self), sourceSet: try row.decode("source_set", as: String?.self),
            sets: try JSONDecoder().decode([String].self, from: Data(try row.decode("sets", as: String.self).utf8)))
    }

    /// The members of set `name` with what the set says of each, by domain.
    /// - Throws: ``StoreError/unknownSet(_:)``.
    public func setMembers(name: String) throws -> [SetEntry] {
        try database.transaction { connection in
            guard try !connection.query("SELECT 1 FROM sets WHERE name = \(name)").rows.isEmpty else { throw StoreError.unknownSet(name) }
            return try connection.query("""
                SELECT d.name AS domain, m.layer, m.organisation, m.web_host, m.tests_web, m.tests_mail, m.tags::text AS tags
                FROM set_members m JOIN sets s ON s.id = m.set_id JOIN domains d ON d.id = m.domain_id
                WHERE s.name = \(name) ORDER BY d.name
                """).rows.map { row in
                SetEntry(domain: try DomainName(parsing: try row.decode("domain", as: String.self)),
                         layer: try row.decode("layer", as: String?.self).flatMap(Layer.init(rawValue:)),
                         organisation: try row.decode("organisation", as: String?.self),
                         webHost: try row.decode("web_host", as: String?.self).map { try DomainName(parsing: $0) },
                         testsWeb: try row.decode("tests_web"), testsMail: try row.decode("tests_mail"),
                         tags: try JSONDecoder().decode([String: String].self, from: Data(try row.decode("tags", as: String.self).utf8)))
            }
        }
    }
}

/// A published row as it travels to PostgreSQL inside one JSON parameter.
private struct ImportedRow: Encodable {
    var domain: String
    var test: String
    var host: String
    var layer: String
    var formal_reaction: Bool
    var statuses: [String: String]

    init(_ row: PublishedRow) {
        domain = row.domain
        test = row.test.rawValue
        host = row.host
        layer = row.layer.rawValue
        formal_reaction = row.formalReaction
        statuses = row.statuses.mapValues(\.rawValue)
    }
}
