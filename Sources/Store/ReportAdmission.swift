import Foundation
import PeilModel

/// Why a result an agent sent was refused: nothing of it was stored.
public enum ReportRefusal: String, Sendable, Hashable, CaseIterable, Comparable {
    /// The task is not leased to this agent: never was, or not any more (expired, released, done).
    case notLeased = "not_leased"
    /// The task is leased to another agent session.
    case otherAgentsLease = "other_agents_lease"
    /// The task is leased to this agent, at another attempt (or the attempt is not a valid number).
    case wrongAttempt = "wrong_attempt"
    /// The observation is not the one the task's kind produces.
    case wrongKind = "wrong_kind"
    /// The encoded observation or the detail exceeds ``ReportAdmission``'s limits.
    case tooLarge = "too_large"
    /// PostgreSQL refused the result itself (the task ends with the reason).
    case notStorable = "not_storable"
    /// The message did not decode.
    case malformed

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// The rules a result must meet before anything of it is stored, whoever checks them (the
/// coordinator's state machine on the leases it knows, the store on the task row).
public enum ReportAdmission {
    /// The largest encoded observation (its JSON, as stored) accepted: 8 MiB. The largest
    /// legitimate observation is a resolution whose DNS answers are at most 64 KiB each (a few
    /// dozen queries, well under 4 MiB of JSON) or a web scan with a certificate chain; hundreds
    /// of kilobytes in practice.
    public static let maximumObservationBytes = 8 << 20
    /// The longest detail text accepted: 64 KiB.
    public static let maximumDetailBytes = 64 << 10
    /// Attempts are PostgreSQL `integer`s numbered from 1.
    public static let attempts = 1...Int(Int32.max)

    /// Why `report` cannot be a result of a task of `kind`, or nil. A report may carry no
    /// observation (a failure); one that carries any must carry exactly its kind's.
    public static func kindRefusal(_ report: TaskReport, kind: TaskKind) -> ReportRefusal? {
        let shape = report.observationShape
        guard shape.resolution || shape.connect else { return nil }
        let fits: Bool
        switch kind {
        case .resolve:
            fits = shape.resolution && !shape.connect
        case .reach, .nameserver, .web, .mail:
            fits = !shape.resolution && shape.connect && shape.connectKinds == [kind]
        }
        return fits ? nil : .wrongKind
    }

    /// Why `report`'s size or attempt number is refused, or nil. The observation is encoded to
    /// measure it (see ``maximumObservationBytes``) unless the message it came in, of
    /// `messageBytes`, is itself within the limit (the observation is a part of it, encoded no shorter).
    public static func shapeRefusal(_ report: TaskReport, messageBytes: Int? = nil) -> ReportRefusal? {
        guard attempts.contains(report.attempt) else { return .wrongAttempt }
        if let detail = report.detail, detail.utf8.count > maximumDetailBytes { return .tooLarge }
        if let messageBytes, messageBytes <= maximumObservationBytes { return nil }
        guard let size = try? encodedObservationBytes(report) else { return .tooLarge }
        return size > maximumObservationBytes ? .tooLarge : nil
    }

    /// Whether a detail and an encoded observation are within the limits.
    static func fits(detail: String?, observation: SQLJSON?) -> Bool {
        (detail?.utf8.count ?? 0) <= maximumDetailBytes && (observation?.text.utf8.count ?? 0) <= maximumObservationBytes
    }

    /// The byte count of the report's observation as stored (0 without one).
    public static func encodedObservationBytes(_ report: TaskReport) throws -> Int {
        if let resolution = report.resolution { return try SQLJSON(resolution).text.utf8.count }
        if let connect = report.connect { return try SQLJSON(connect).text.utf8.count }
        return 0
    }
}

extension DatabaseError {
    /// Whether the server refused the values themselves (SQLSTATE class 22, data exception, or
    /// 54, program limit exceeded): sending the same statement again cannot succeed.
    public var isRefusedValue: Bool {
        guard code == .statement, let sqlState else { return false }
        return sqlState.hasPrefix("22") || sqlState.hasPrefix("54")
    }
}

extension ReportDisposition {
    /// Why the store refused the report, if it did.
    public var refusal: ReportRefusal? {
        switch self {
        case .refusedNotLeased: .notLeased
        case .refusedWrongKind: .wrongKind
        case .refusedTooLarge: .tooLarge
        case .stored, .duplicate, .stale, .requeued, .notTestable, .unknownTask: nil
        }
    }
}
