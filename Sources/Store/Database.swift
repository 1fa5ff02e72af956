import CLibPQ
import Foundation

/// One PostgreSQL connection (libpq), safe to share between tasks: every use holds a lock, so
/// statements from different callers never interleave and a transaction owns the connection
/// until it ends.
///
/// The calls block the calling thread for the duration of the statement, and never longer
/// than the connection's statement timeout: PostgreSQL cancels a statement that runs longer.
public final class Database: @unchecked Sendable {
    /// The local cluster that `ops/pg start` runs, as the run-time role (`ops/pg url` adds the
    /// role's password file).
    public static let defaultConnectionString = "host=127.0.0.1 port=55432 dbname=peil user=\(DatabaseRoles.runtimeRole)"
    /// How long one statement may run unless the caller says otherwise (`--statement-timeout`).
    /// A claim or a commit takes milliseconds; the largest reads (a measurement's observations
    /// for `peil results`) take seconds.
    public static let defaultStatementTimeout: Duration = .seconds(60)
    /// The environment variable that names the database when no connection string is given.
    public static let environmentVariable = "PEIL_DATABASE_URL"

    /// The connection string to use: `explicit`, else `PEIL_DATABASE_URL`, else the local cluster.
    /// Either form libpq reads: `postgresql://user@host:port/db` or `host=… port=… dbname=…`.
    public static func connectionString(
        explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty { return fromEnvironment }
        return defaultConnectionString
    }

    private let lock = NSLock()
    private let connection: DatabaseConnection
    /// What this connection was opened with, to open another like it.
    private let opening: (connectionString: String, database: String?)

    /// Where this connection goes, `host:port/database`, for messages (no user or password).
    public let target: String
    /// The session's `statement_timeout`, set when connecting (and again after a reconnect).
    public var statementTimeout: Duration { connection.statementTimeout }

    /// Connects.
    /// - Parameters:
    ///   - connectionString: as for ``connectionString(explicit:environment:)``.
    ///   - database: overrides the database name of the connection string (the tests use it to
    ///     reach a fresh database on the same server).
    ///   - statementTimeout: the longest one statement may run before PostgreSQL cancels it
    ///     (SQLSTATE 57014, a ``DatabaseError`` that says so).
    /// - Throws: ``DatabaseError`` with code `.connection` and libpq's message.
    public init(connectionString: String? = nil, database: String? = nil,
                statementTimeout: Duration = Database.defaultStatementTimeout) throws {
        let resolved = Self.connectionString(explicit: connectionString)
        var keywords = ["dbname", "fallback_application_name", "connect_timeout"]
        var values = [resolved, "peil", "10"]
        if let database {
            keywords.append("dbname")
            values.append(database)
        }
        let handle = withCStrings(keywords + [nil]) { keywordPointers in
            withCStrings(values + [nil]) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let handle else {
            throw DatabaseError(code: .connection, message: "libpq could not allocate a connection")
        }
        let connection = DatabaseConnection(handle: handle, statementTimeout: statementTimeout)
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = connection.lastErrorMessage
            throw DatabaseError(code: .connection, message: message, hint: Self.passwordHint(for: message))
        }
        self.connection = connection
        self.opening = (resolved, database)
        self.target = "\(String(cString: PQhost(handle))):\(String(cString: PQport(handle)))/\(String(cString: PQdb(handle)))"
        try connection.configureSession()
    }

    /// A new connection to the same database as the same role, with the same statement timeout
    /// (for a session-level lock or a cursor that must live on a connection of its own).
    public func newConnection() throws -> Database {
        try Database(connectionString: opening.connectionString, database: opening.database, statementTimeout: statementTimeout)
    }

    /// What to do when the server asked for a password that was not given or was wrong.
    static func passwordHint(for message: String) -> String? {
        guard message.contains("password") else { return nil }
        return "give the role's password in a password file: passfile=FILE in the connection string, or PGPASSFILE "
            + "(for the ops/pg cluster: export PEIL_DATABASE_URL=\"$(ops/pg url)\")"
    }

    /// Runs one statement outside any explicit transaction and returns its rows.
    @discardableResult
    public func query(_ query: SQLQuery) throws -> QueryResult {
        try withConnection { try $0.query(query) }
    }

    /// Runs one statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ query: SQLQuery) throws -> Int {
        try withConnection { try $0.execute(query) }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    /// The connection is exclusively the body's until then: run statements on the
    /// ``DatabaseConnection`` it is given, never on this `Database` (that would wait for itself).
    public func transaction<Result>(_ body: (DatabaseConnection) throws -> Result) throws -> Result {
        try withConnection { connection in
            try connection.execute("BEGIN")
            let result: Result
            do {
                result = try body(connection)
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
            try connection.execute("COMMIT")
            return result
        }
    }

    /// Gives `body` the connection under the lock, reconnecting first if it broke.
    /// A transaction left open is rolled back first unless `continuingTransaction` (a
    /// connection of its own that keeps a transaction open across calls: ``MeasurementCursor``).
    public func withConnection<Result>(continuingTransaction: Bool = false, _ body: (DatabaseConnection) throws -> Result) throws -> Result {
        lock.lock()
        defer { lock.unlock() }
        try connection.ensureUsable(rollingBack: !continuingTransaction)
        return try body(connection)
    }
}

/// The connection inside a ``Database``'s lock; only valid within the closure it was given to.
public final class DatabaseConnection {
    let handle: OpaquePointer
    let statementTimeout: Duration
    /// The statements prepared on this session, by their text, with their names.
    private var prepared: [String: String] = [:]
    /// At most this many prepared statements are kept; then all are dropped and prepared afresh
    /// (only fixed texts are prepared, so this bounds a caller's mistake, not normal use).
    public static let maximumPrepared = 128

    fileprivate init(handle: OpaquePointer, statementTimeout: Duration) {
        self.handle = handle
        self.statementTimeout = statementTimeout
    }

    deinit {
        PQfinish(handle)
    }

    /// Runs one statement with its bound parameters and returns its rows.
    @discardableResult
    public func query(_ query: SQLQuery) throws -> QueryResult {
        try Self.refuseNUL(in: query)
        let result = withCStrings(query.binds) { values in
            PQexecParams(handle, query.sql, Int32(values.count), nil, values, nil, nil, 0)
        }
        return try consume(result, sql: query.sql)
    }

    /// Runs one statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ query: SQLQuery) throws -> Int {
        try self.query(query).affectedRows
    }

    /// Runs one statement as a prepared statement of this session: parsed and planned the
    /// first time its text is run here, then only executed with each call's values. For the
    /// statements run many times with a fixed text (those of the ingest path); PostgreSQL
    /// re-plans by itself when the tables change.
    @discardableResult
    public func queryPrepared(_ query: SQLQuery) throws -> QueryResult {
        try Self.refuseNUL(in: query)
        let name = try preparedName(query)
        let result = withCStrings(query.binds) { values in
            PQexecPrepared(handle, name, Int32(values.count), values, nil, nil, 0)
        }
        return try consume(result, sql: query.sql)
    }

    /// libpq takes C strings: a NUL would silently cut a bound value short, so it is refused.
    private static func refuseNUL(in query: SQLQuery) throws {
        if query.binds.contains(where: { $0.map(StorableText.containsNUL) ?? false }) {
            throw DatabaseError(code: .statement, message: "a bound value contains a NUL character, which PostgreSQL text cannot hold", sql: query.sql)
        }
    }

    /// ``queryPrepared(_:)``, returning the number of rows the statement affected.
    @discardableResult
    public func executePrepared(_ query: SQLQuery) throws -> Int {
        try queryPrepared(query).affectedRows
    }

    /// The name `query`'s text is prepared under here, preparing it first if it is new.
    private func preparedName(_ query: SQLQuery) throws -> String {
        if let name = prepared[query.sql] { return name }
        if prepared.count >= Self.maximumPrepared {
            _ = try consume(PQexec(handle, "DEALLOCATE ALL"), sql: "DEALLOCATE ALL")
            prepared = [:]
        }
        let name = "peil_\(prepared.count)"
        _ = try consume(PQprepare(handle, name, query.sql, Int32(query.binds.count), nil), sql: query.sql)
        prepared[query.sql] = name
        return name
    }

    /// Runs a script of several statements without parameters (a migration file). The caller
    /// vouches that `unsafeSQL` holds no values from outside.
    public func executeScript(unsafeSQL: String) throws {
        _ = try consume(PQexec(handle, unsafeSQL), sql: nil)
    }

    var lastErrorMessage: String {
        String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The session settings every connection has: quiet NOTICEs (CREATE … IF NOT EXISTS and
    /// friends would print them to stderr) and the statement timeout.
    fileprivate func configureSession() throws {
        try executeScript(unsafeSQL: "SET client_min_messages = warning; SET statement_timeout = \(statementTimeout.milliseconds)")
    }

    fileprivate func ensureUsable(rollingBack: Bool) throws {
        if PQstatus(handle) != CONNECTION_OK {
            PQreset(handle)
            prepared = [:]  // a new session has none
            guard PQstatus(handle) == CONNECTION_OK else {
                throw DatabaseError(code: .connection, message: lastErrorMessage)
            }
            try configureSession()
        }
        // A transaction left open by a crash in a caller would swallow every later statement.
        if rollingBack && PQtransactionStatus(handle) != PQTRANS_IDLE {
            _ = try? execute("ROLLBACK")
        }
    }

    func consume(_ result: OpaquePointer?, sql: String?) throws -> QueryResult {
        guard let result else {
            throw DatabaseError(code: .connection, message: lastErrorMessage, sql: sql)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            break
        default:
            func field(_ code: Character) -> String? {
                PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
            }
            var message = field("M") ?? String(cString: PQresultErrorMessage(result))
            if field("C") == DatabaseError.queryCanceled, message.contains("statement timeout") {
                message += " (it ran longer than the connection's statement timeout of \(statementTimeout.seconds) s)"
            }
            throw DatabaseError(
                code: PQstatus(handle) == CONNECTION_OK ? .statement : .connection,
                message: message.trimmingCharacters(in: .whitespacesAndNewlines),
                sqlState: field("C"), detail: field("D"), hint: field("H"), sql: sql)
        }
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        let values = (0..<rowCount).map { row in
            (0..<columnCount).map { column -> String? in
                PQgetisnull(result, Int32(row), Int32(column)) == 1
                    ? nil : String(cString: PQgetvalue(result, Int32(row), Int32(column)))
            }
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return QueryResult(columns: columns, values: values, affectedRows: affected, sql: sql ?? "")
    }
}

extension Duration {
    /// Whole milliseconds, at least 1 (`statement_timeout = 0` would mean no timeout at all).
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    /// Seconds as a short decimal for messages, e.g. `60` or `0.3`.
    var seconds: String {
        let value = Double(milliseconds) / 1000
        return value == value.rounded() ? String(Int64(value)) : String(value)
    }
}

/// Calls `body` with C copies of `strings` (nil stays NULL), freed afterwards.
private func withCStrings<Result>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> Result) -> Result {
    let copies = strings.map { $0.flatMap { strdup($0) } }
    defer { copies.forEach { free($0) } }
    return body(copies.map { $0.map { UnsafePointer($0) } })
}
