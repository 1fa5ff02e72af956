import Foundation
import PeilModel

/// Why `peil explain` could not record or withdraw an explanation.
public enum ExplanationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The domain is in no set (`peil import`).
    case unknownDomain(String)
    case unknownExplanation(Int64)
    /// `--until` is not a calendar day `yyyy-mm-dd`.
    case badDate(String)
    case emptyText
    case emptyAuthor

    public var description: String {
        switch self {
        case .unknownDomain(let name): "domain '\(name)' is in no set (see peil sets); import it before explaining its results"
        case .unknownExplanation(let id): "there is no explanation \(id) (see peil explain --list)"
        case .badDate(let text): "'\(text)' is not a day YYYY-MM-DD"
        case .emptyText: "an explanation needs a text (--text)"
        case .emptyAuthor: "an explanation needs someone who gives it (--by)"
        }
    }
}

extension PeilStore {
    /// Records an explanation of `column` for `domain` by `by`, holding until the day `until`
    /// (inclusive; nil for no end). Returns it with its id and time.
    /// - Throws: ``ExplanationError`` for an unknown domain, a bad day, an empty text or author.
    public func addExplanation(domain: DomainName, column: BulkColumnID, text: String, by: String, until: String?) throws -> Explanation {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines), by = by.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw ExplanationError.emptyText }
        guard !by.isEmpty else { throw ExplanationError.emptyAuthor }
        if let until, !Self.isDay(until) { throw ExplanationError.badDate(until) }
        return try database.transaction { connection in
            guard let domainID = try connection.query("SELECT id FROM domains WHERE name = \(domain.value)").rows.first?.decode("id", as: Int64.self)
            else { throw ExplanationError.unknownDomain(domain.value) }
            let id: Int64 = try connection.query("""
                INSERT INTO explanations (domain_id, test, column_name, text, explained_by, until)
                VALUES (\(domainID), \(column.test.rawValue), \(column.name), \(text), \(by), \(until)::date)
                RETURNING id
                """).single().decode("id")
            return try Self.explanations(where: id, on: connection)[0]
        }
    }

    /// Every explanation, by domain, column and id.
    public func explanations() throws -> [Explanation] {
        try database.transaction { try Self.explanations(where: nil, on: $0) }
    }

    /// Withdraws explanation `id`; returns what it was.
    /// - Throws: ``ExplanationError/unknownExplanation(_:)``.
    @discardableResult
    public func removeExplanation(id: Int64) throws -> Explanation {
        try database.transaction { connection in
            guard let explanation = try Self.explanations(where: id, on: connection).first else { throw ExplanationError.unknownExplanation(id) }
            try connection.execute("DELETE FROM explanations WHERE id = \(id)")
            return explanation
        }
    }

    static func explanations(where id: Int64?, on connection: DatabaseConnection) throws -> [Explanation] {
        try connection.query("""
            SELECT e.id, d.name AS domain, e.test, e.column_name, e.text, e.explained_by,
                   to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS recorded_at,
                   to_char(e.until, 'YYYY-MM-DD') AS until
            FROM explanations e JOIN domains d ON d.id = e.domain_id
            WHERE \(id)::bigint IS NULL OR e.id = \(id)
            ORDER BY d.name, e.test, e.column_name, e.id
            """).rows.map { row in
            let testName: String = try row.decode("test")
            guard let test = BulkTest(rawValue: testName) else {
                throw DatabaseError(code: .decoding, message: "unknown test '\(testName)' in explanations")
            }
            return Explanation(id: try row.decode("id"), domain: try row.decode("domain"), column: BulkColumnID(test, try row.decode("column_name")),
                               text: try row.decode("text"), by: try row.decode("explained_by"), recordedAt: try row.decode("recorded_at"),
                               until: try row.decode("until", as: String?.self))
        }
    }

    /// Whether `text` is a calendar day `yyyy-mm-dd` from year 0001 (checked here, so PostgreSQL,
    /// which has no year 0000, never sees a bad one).
    public static func isDay(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }), year >= 1, (1...12).contains(month) else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }
}
