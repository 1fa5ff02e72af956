import CLibPQ

/// PostgreSQL's COPY text format (`COPY … FROM STDIN`, the default format): one row a line,
/// fields separated by a tab, `\N` for NULL, and a backslash escaping the characters that
/// would end a field or a row. Pure.
public enum CopyText {
    /// One field: nil is `\N`; a backslash, tab, newline and carriage return are escaped, and a
    /// NUL is stored as ``StorableText/nulMarker`` (text cannot hold it), as for bound values.
    public static func field(_ value: String?) -> String {
        guard let value else { return "\\N" }
        let text = StorableText.text(value)
        guard text.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\t": escaped += "\\t"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// One row: the fields, each through ``field(_:)``, tab-separated, ending in a newline.
    public static func row(_ fields: [String?]) -> String {
        fields.map(field).joined(separator: "\t") + "\n"
    }
}

/// The rows of one `COPY … FROM STDIN` under way, sent in blocks (``DatabaseConnection/copyIn(_:_:)``).
public final class CopyInWriter {
    private let connection: DatabaseConnection
    private var buffer: [UInt8] = []
    private static let blockBytes = 1 << 16

    fileprivate init(connection: DatabaseConnection) {
        self.connection = connection
        buffer.reserveCapacity(Self.blockBytes)
    }

    /// Adds one row (``CopyText/row(_:)``).
    public func append(row fields: [String?]) throws {
        buffer += CopyText.row(fields).utf8
        if buffer.count >= Self.blockBytes { try flush() }
    }

    fileprivate func flush() throws {
        guard !buffer.isEmpty else { return }
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(connection.handle, $0.baseAddress, Int32($0.count)) }
        }
        guard sent == 1 else { throw DatabaseError(code: .connection, message: connection.lastErrorMessage) }
        buffer.removeAll(keepingCapacity: true)
    }
}

extension DatabaseConnection {
    /// Runs `sql`, a `COPY … FROM STDIN` (text format), with the rows `body` appends; the rows
    /// travel in blocks, so no more than one block is held here, however many there are.
    /// When `body` throws, the COPY is ended as failed (the server stores none of its rows) and
    /// the error is rethrown. - Returns: the number of rows copied.
    @discardableResult
    public func copyIn(_ sql: SQLQuery, _ body: (CopyInWriter) throws -> Void) throws -> Int {
        guard sql.binds.isEmpty else {
            throw DatabaseError(code: .statement, message: "COPY takes no bound parameters", sql: sql.sql)
        }
        guard let started = PQexec(handle, sql.sql) else {
            throw DatabaseError(code: .connection, message: lastErrorMessage, sql: sql.sql)
        }
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            _ = try consume(started, sql: sql.sql)
            throw DatabaseError(code: .statement, message: "the statement did not start a COPY FROM STDIN", sql: sql.sql)
        }
        PQclear(started)
        let writer = CopyInWriter(connection: self)
        do {
            try body(writer)
            try writer.flush()
        } catch {
            _ = PQputCopyEnd(handle, "the rows could not be made")
            drainResults()
            throw error
        }
        guard PQputCopyEnd(handle, nil) == 1 else {
            throw DatabaseError(code: .connection, message: lastErrorMessage, sql: sql.sql)
        }
        var copied = 0
        var failure: Error?
        while let result = PQgetResult(handle) {
            do {
                copied += try consume(result, sql: sql.sql).affectedRows
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return copied
    }

    /// Reads and drops every result left of the statement under way, so the connection takes the next one.
    private func drainResults() {
        while let result = PQgetResult(handle) { PQclear(result) }
    }
}
