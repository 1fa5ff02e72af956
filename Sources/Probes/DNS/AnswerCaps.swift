import PeilModel

/// Limits on what one resolution keeps of the answers it gets, so a hostile zone (3,000 A
/// records, 500 NS names, megabytes of TXT) cannot turn into thousands of questions, connect
/// tasks or an observation too large to store. Each cap that bites says so in the record's
/// `reason` (for example "3000 addresses, first 16 kept"). Pure.
///
/// Lists whose prefix is still a true answer are cut (addresses, nameserver names: fewer are
/// probed); lists a prefix would falsify (TXT, where a dropped SPF record reads as "no SPF";
/// MX, CAA, TLSA) make the answer an `error` instead, so verdicts say error, never failed.
public enum AnswerCaps {
    /// Addresses kept per A or AAAA answer (per host and family), first in text order.
    public static let maxAddresses = 16
    /// Names kept per NS answer (a domain's nameservers), first in text order.
    public static let maxNameservers = 16
    /// Records an answer of another type may hold (TXT, MX, CAA, TLSA, SOA, CNAME).
    public static let maxRecords = 64
    /// Bytes of record text an answer may hold (UTF-8 of the presentation forms).
    public static let maxAnswerBytes = 16 * 1024
    /// Bytes of record text one resolution keeps over all its answers.
    public static let maxObservationBytes = 256 * 1024

    /// `record` within the per-answer caps.
    public static func apply(_ record: DNSQueryRecord) -> DNSQueryRecord {
        guard let type = DNSRecordType.allCases.first(where: { $0.mnemonic == record.type }) else { return record }
        var capped = record
        switch type {
        case .a, .aaaa, .ns:
            let limit = type == .ns ? maxNameservers : maxAddresses
            guard record.records.count > limit else { break }
            capped.records = Array(record.records.sorted().prefix(limit))
            let what = type == .ns ? "NS names" : "addresses"
            capped = capped.noting("\(record.records.count) \(what), first \(limit) kept")
        default:
            guard record.records.count > maxRecords else { break }
            return tooLarge(record, "\(record.records.count) \(record.type) records, more than \(maxRecords)")
        }
        let bytes = size(capped)
        guard bytes <= maxAnswerBytes else {
            return tooLarge(record, "\(bytes) bytes of \(record.type) records, more than \(maxAnswerBytes)")
        }
        return capped
    }

    /// `records` within ``maxObservationBytes``: the largest answers are made errors until the
    /// rest fits. Order is kept.
    public static func limitTotal(_ records: [DNSQueryRecord]) -> [DNSQueryRecord] {
        var total = records.reduce(0) { $0 + size($1) }
        guard total > maxObservationBytes else { return records }
        var result = records
        let largestFirst = records.indices.sorted { (size(records[$0]), $1) > (size(records[$1]), $0) }
        for index in largestFirst where total > maxObservationBytes {
            let bytes = size(records[index])
            guard bytes > 0 else { break }
            result[index] = tooLarge(records[index], "dropped: the resolution's answers came to \(total) bytes, more than \(maxObservationBytes)")
            total -= bytes
        }
        return result
    }

    /// Bytes of record text in `record`.
    static func size(_ record: DNSQueryRecord) -> Int {
        record.records.reduce(0) { $0 + $1.utf8.count }
    }

    /// The answer as an error without records, saying which cap it broke.
    static func tooLarge(_ record: DNSQueryRecord, _ why: String) -> DNSQueryRecord {
        DNSQueryRecord(name: record.name, type: record.type, rcode: record.rcode, dnssec: .error,
                       reason: record.noting("answer over the cap: \(why)").reason, records: [])
    }
}

extension DNSQueryRecord {
    /// The record with `note` after its reason ("; " between): how Probes says what happened to
    /// an answer (a cap that cut it, a second try, a fresh validation) without losing why.
    func noting(_ note: String) -> DNSQueryRecord {
        var noted = self
        noted.reason = reason.map { "\($0); \(note)" } ?? note
        return noted
    }
}
