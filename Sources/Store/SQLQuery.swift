import Foundation

/// An SQL statement with its values as bound parameters, never spliced into the text.
///
/// Write it as a string literal; every interpolated value becomes a parameter `$n`:
///
///     let query: SQLQuery = "SELECT id FROM sets WHERE name = \(name)"
///     // sql: "SELECT id FROM sets WHERE name = $1", binds: [name]
///
/// Values travel as text and PostgreSQL infers their type from context; add a cast where the
/// context does not say (`\(seconds)::float8`). There is deliberately no way to interpolate raw
/// SQL; text that must be built at run time goes through ``init(unsafeSQL:binds:)``.
///
/// Every bound value passes through ``StorableText/text(_:)``, so text a target sent (a banner
/// with a NUL byte) can always be bound: see ``StorableText`` for what is changed and how it is marked.
public struct SQLQuery: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The statement with `$1`, `$2`, … placeholders.
    public let sql: String
    /// The parameter values in text form; nil is SQL NULL.
    public let binds: [String?]

    public init(stringLiteral value: String) {
        self.sql = value
        self.binds = []
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
    }

    /// A statement built at run time. The caller vouches that `unsafeSQL` holds no values that
    /// came from outside; those belong in `binds`.
    public init(unsafeSQL: String, binds: [String?] = []) {
        self.sql = unsafeSQL
        self.binds = binds.map { $0.map(StorableText.text) }
    }

    /// The SQL text only; values are left out so they never reach logs or error messages.
    public var description: String { sql }

    /// Collects literal text and turns each interpolated value into a parameter.
    public struct StringInterpolation: StringInterpolationProtocol {
        fileprivate var sql = ""
        fileprivate var binds: [String?] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + 3 * interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// A value as a bound parameter.
        public mutating func appendInterpolation(_ value: some SQLBindable) {
            bind(value.sqlText)
        }

        /// An optional value as a bound parameter; nil is NULL.
        public mutating func appendInterpolation(_ value: (some SQLBindable)?) {
            bind(value?.sqlText)
        }

        /// A list of values as one parameter in PostgreSQL's array syntax; cast it
        /// (`\(array: names)::text[]`).
        public mutating func appendInterpolation(array values: [some SQLBindable]) {
            bind(SQLArrayLiteral.encode(values.map(\.sqlText)))
        }

        /// A list of optional values as one array parameter; nil elements are NULL. Cast it.
        public mutating func appendInterpolation(array values: [(some SQLBindable)?]) {
            bind(SQLArrayLiteral.encode(values.map { $0?.sqlText }))
        }

        /// A JSON document (already encoded, see ``SQLJSON``) as a parameter; cast it (`::jsonb`).
        /// nil is NULL.
        public mutating func appendInterpolation(_ json: SQLJSON?) {
            bind(json?.text)
        }

        private mutating func bind(_ text: String?) {
            binds.append(text.map(StorableText.text))
            sql += "$\(binds.count)"
        }
    }
}

/// A value that can be a bound parameter: its text form as PostgreSQL's input functions read it.
public protocol SQLBindable {
    var sqlText: String { get }
}

extension String: SQLBindable {
    public var sqlText: String { self }
}

extension Int: SQLBindable {
    public var sqlText: String { String(self) }
}

extension Int64: SQLBindable {
    public var sqlText: String { String(self) }
}

extension Int32: SQLBindable {
    public var sqlText: String { String(self) }
}

extension Double: SQLBindable {
    public var sqlText: String { String(self) }
}

extension Bool: SQLBindable {
    public var sqlText: String { self ? "true" : "false" }
}

/// A value encoded as JSON with Foundation's `JSONEncoder`, ready to bind as `jsonb`.
public struct SQLJSON: Sendable, Hashable {
    public let text: String

    /// Encodes `value`; keys are sorted so equal values give equal text. A NUL in any string
    /// becomes the marker of ``StorableText`` (jsonb refuses `\u0000`).
    public init(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.text = StorableText.json(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// A document already encoded (e.g. as an agent sent it); NUL escapes become the marker as
    /// above. The caller vouches that `json` is one JSON value `jsonb` accepts.
    public init(encoded json: String) {
        self.text = StorableText.json(json)
    }
}

/// PostgreSQL's array input syntax, `{"a","b",NULL}`, with every element quoted.
enum SQLArrayLiteral {
    static func encode(_ elements: [String?]) -> String {
        // Byte by byte: `"` and `\` are ASCII and never inside a multi-byte UTF-8 sequence, and
        // a quote followed by a combining mark is escaped too (one `Character` with it).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2 + elements.count * 12)
        bytes.append(UInt8(ascii: "{"))
        for (index, element) in elements.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            guard let element else {
                bytes.append(contentsOf: "NULL".utf8)
                continue
            }
            bytes.append(UInt8(ascii: "\""))
            for byte in element.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { bytes.append(UInt8(ascii: "\\")) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }
}
