import Checks
import Foundation
import PeilModel
import Report

/// `peil results`' formats: CSV (one row per domain), JSON lines (one object per domain, each
/// column with its evidence) and the batch-API-shaped JSON (``BatchResults``).
public enum ResultsFormats {
    /// The CSV header and one row per domain: the 8 web and 12 mail statuses, the mail test's
    /// nameserver column named `mail_ipv6_nameserver` (``BulkColumnID/csvName``); fields escaped by
    /// the report's ``CSV/field(_:)``.
    public static func csv(_ verdicts: [DomainVerdicts]) -> [String] {
        [csvHeader] + csvRows(verdicts)
    }

    /// The CSV header of ``csv(_:)``.
    public static var csvHeader: String { CSV.row(["domain"] + BulkColumns.all.map(\.csvName)) }

    /// The CSV rows of ``csv(_:)`` without the header (for a measurement judged in batches).
    public static func csvRows(_ verdicts: [DomainVerdicts]) -> [String] {
        verdicts.map { verdict -> String in
            let statuses: [String] = BulkColumns.all.map { verdict[$0]?.status.rawValue ?? "" }
            return CSV.row([verdict.domain] + statuses)
        }
    }

    /// One JSON object per domain: `{"domain", "ruleSet", "web": {name: cell}, "mail": {name: cell},
    /// "subtests": {Internet.nl's batch name: cell}, "peilSubtests": {Peil's own subtest: cell}}`.
    public static func jsonLines(_ verdicts: [DomainVerdicts], ruleSet: RuleSet) throws -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try verdicts.map { verdict in
            let line = PerDomain(domain: verdict.domain, ruleSet: ruleSet.rawValue, web: verdict.web, mail: verdict.mail,
                                 subtests: Dictionary(uniqueKeysWithValues: verdict.subtests.map { ($0.key.rawValue, $0.value) }),
                                 peilSubtests: Dictionary(uniqueKeysWithValues: verdict.peilSubtests.map { ($0.key.rawValue, $0.value) }))
            return String(decoding: try encoder.encode(line), as: UTF8.self)
        }
    }

    /// The batch-API-shaped document of one test, pretty-printed.
    public static func batchJSON(_ verdicts: [DomainVerdicts], measurementID: Int64, ruleSet: RuleSet, test: BulkTest,
                                 submitted: Date, finished: Date) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        let document = BatchResults(measurementID: measurementID, ruleSet: ruleSet, test: test, submitted: submitted, finished: finished, verdicts: verdicts)
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }

    struct PerDomain: Encodable {
        var domain: String
        var ruleSet: String
        var web: [String: StatusCell]
        var mail: [String: StatusCell]
        var subtests: [String: StatusCell]
        var peilSubtests: [String: StatusCell]
    }
}
