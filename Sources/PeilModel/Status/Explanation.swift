/// Comply or explain: an organisation's explanation of why a domain does not apply a standard
/// (`peil explain DOMAIN COLUMN --text … [--until DATE]`), stored by `Store`.
///
/// When it counts (``counts(forMeasurementOn:reportTime:)``): for every measurement of the
/// domain dated on or before `until` (without `until`: every measurement, also those dated
/// before it was recorded, since results are usually explained after they are published),
/// provided it was recorded on or before the report's time. A measurement dated after `until`
/// finds it expired. It only ever marks *failed* cells.
public struct Explanation: Sendable, Hashable {
    public var id: Int64
    public var domain: String
    public var column: BulkColumnID
    public var text: String
    /// Who recorded it (`--by`, default the Unix user).
    public var by: String
    /// When it was recorded, UTC, `yyyy-mm-ddThh:mm:ssZ`.
    public var recordedAt: String
    /// The last day it holds, `yyyy-mm-dd`; nil for no end.
    public var until: String?

    public init(id: Int64, domain: String, column: BulkColumnID, text: String, by: String, recordedAt: String, until: String?) {
        self.id = id
        self.domain = domain
        self.column = column
        self.text = text
        self.by = by
        self.recordedAt = recordedAt
        self.until = until
    }

    /// Whether it counts for a measurement dated `day` (`yyyy-mm-dd`) in a report made at
    /// `reportTime` (`yyyy-mm-ddThh:mm:ssZ`): recorded no later than the report, and `day` not
    /// after `until`. Both formats compare as text.
    public func counts(forMeasurementOn day: String, reportTime: String) -> Bool {
        guard recordedAt <= reportTime else { return false }
        guard let until else { return true }
        return day <= until
    }

    /// How a report shows it: `by NAME on DAY (until DAY): TEXT`.
    public var note: String {
        "by \(by) on \(recordedAt.prefix(10))" + (until.map { " (until \($0))" } ?? "") + ": \(text)"
    }
}

/// A column name a user typed that names no bulk column, or more than one.
public struct BulkColumnNameError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
}

extension BulkColumns {
    /// A column from what a user typed: its key (`mail.dane`, `web.ipv6_nameserver`) or a bare
    /// name only one test has (`dane`, `hsts`).
    /// - Throws: ``BulkColumnNameError`` for an unknown name or `ipv6_nameserver` without its test.
    public static func column(named text: String) throws(BulkColumnNameError) -> BulkColumnID {
        let name = text.lowercased()
        if let column = BulkColumnID(key: name), all.contains(column) { return column }
        let matches = all.filter { $0.name == name }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw BulkColumnNameError(description: "column '\(text)' is in both tests: say \(matches.map(\.key).joined(separator: " or "))")
        }
        throw BulkColumnNameError(description: "unknown column '\(text)'; the columns are \(all.map(\.key).joined(separator: ", "))")
    }
}
