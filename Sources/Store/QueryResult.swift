/// The rows a statement returned, copied out of libpq in text form.
public struct QueryResult: Sendable {
    /// Column names in order.
    public let columns: [String]
    public let rows: [Row]
    /// Rows inserted, updated or deleted (libpq's `PQcmdTuples`), 0 when it does not apply.
    public let affectedRows: Int

    init(columns: [String], values: [[String?]], affectedRows: Int, sql: String) {
        var index: [String: Int] = [:]
        for (position, name) in columns.enumerated() where index[name] == nil { index[name] = position }
        let lookup = ColumnIndex(positions: index, sql: sql)
        self.columns = columns
        self.rows = values.map { Row(values: $0, index: lookup) }
        self.affectedRows = affectedRows
    }

    /// The only row; throws when there is none or more than one.
    public func single() throws -> Row {
        guard rows.count == 1, let row = rows.first else {
            throw DatabaseError(code: .decoding, message: "expected one row, got \(rows.count)")
        }
        return row
    }
}

/// Column positions by name, shared by all rows of a result.
struct ColumnIndex: Sendable {
    let positions: [String: Int]
    let sql: String
}

/// One row; read columns by name with ``decode(_:as:)``.
public struct Row: Sendable {
    /// The values in text form, nil for NULL.
    public let values: [String?]
    let index: ColumnIndex

    /// The non-NULL value of `column`.
    public func decode<Value: SQLDecodable>(_ column: String, as type: Value.Type = Value.self) throws -> Value {
        guard let value = try decode(column, as: Value?.self) else {
            throw DatabaseError(code: .decoding, message: "column \(column) is NULL", sql: index.sql)
        }
        return value
    }

    /// The value of `column`, nil for NULL.
    public func decode<Value: SQLDecodable>(_ column: String, as type: Value?.Type) throws -> Value? {
        guard let position = index.positions[column] else {
            throw DatabaseError(code: .decoding, message: "no column \(column) in the result", sql: index.sql)
        }
        guard let text = values[position] else { return nil }
        guard let value = Value(sqlText: text) else {
            throw DatabaseError(code: .decoding, message: "column \(column) is not a \(Value.self)", sql: index.sql)
        }
        return value
    }
}

/// A type that can be read from PostgreSQL's text output.
public protocol SQLDecodable {
    init?(sqlText: String)
}

extension String: SQLDecodable {
    public init?(sqlText: String) { self = sqlText }
}

extension Int: SQLDecodable {
    public init?(sqlText: String) { self.init(sqlText) }
}

extension Int64: SQLDecodable {
    public init?(sqlText: String) { self.init(sqlText) }
}

extension Double: SQLDecodable {
    public init?(sqlText: String) { self.init(sqlText) }
}

extension Bool: SQLDecodable {
    public init?(sqlText: String) {
        switch sqlText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}
