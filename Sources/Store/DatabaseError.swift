import Foundation

/// A failure talking to PostgreSQL, with the server's SQLSTATE and message when it gave one.
///
/// The description names the statement's SQL text but never its bound values or the
/// connection string (which may hold a password).
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, broadly.
    public enum Code: String, Sendable, Hashable {
        /// Could not connect, or the connection broke.
        case connection
        /// The server refused or failed a statement (see ``DatabaseError/sqlState``).
        case statement
        /// A row did not have the shape the caller expected.
        case decoding
        /// A migration file could not be read or ordered.
        case migration
    }

    public var code: Code
    /// The five-character SQLSTATE, e.g. `23505` for a unique violation.
    public var sqlState: String?
    /// The primary message (from the server, or ours).
    public var message: String
    /// The server's DETAIL and HINT, when given.
    public var detail: String?
    public var hint: String?
    /// The SQL text of the statement that failed (placeholders, no values).
    public var sql: String?

    public init(code: Code, message: String, sqlState: String? = nil, detail: String? = nil,
                hint: String? = nil, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.sql = sql
    }

    /// SQLSTATE 23505.
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// SQLSTATE 57014: the statement was cancelled, e.g. by the statement timeout.
    static let queryCanceled = "57014"
    /// The statement ran longer than the connection's statement timeout and was cancelled.
    public var isStatementTimeout: Bool { sqlState == Self.queryCanceled && message.contains("statement timeout") }
    /// SQLSTATE 42501: the role lacks the privilege (the run-time role's DDL, for instance).
    public var isInsufficientPrivilege: Bool { sqlState == "42501" }
    /// SQLSTATE 40001 or 40P01: the transaction may succeed if retried.
    public var isSerializationFailure: Bool { sqlState == "40001" || sqlState == "40P01" }

    public var description: String {
        var text = "database \(code.rawValue) error"
        if let sqlState { text += " [SQLSTATE \(sqlState)]" }
        text += ": \(message)"
        if let detail { text += " (detail: \(detail))" }
        if let hint { text += " (hint: \(hint))" }
        if let sql { text += "; in: \(sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " "))" }
        return text
    }
}
